import assert from 'node:assert/strict';
import { ValueType, type Attributes } from '@opentelemetry/api';
import { emptyResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, MeterProvider, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { escapeLabelValue, formatNumber, labelName, metricName, PrometheusReader, toPrometheusText } from './prometheus-exposition';

const T = [0, 0] as [number, number];
const point = <V>(attributes: Attributes, value: V) => ({ startTime: T, endTime: T, attributes, value });
const descriptor = (name: string, description = '') => ({ name, description, unit: '', valueType: ValueType.DOUBLE });
const base = { aggregationTemporality: AggregationTemporality.CUMULATIVE };
const counter = (name: string, points: [Attributes, number][], description = ''): MetricData =>
  ({ ...base, descriptor: descriptor(name, description), dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: points.map(([a, v]) => point(a, v)) });
const upDown = (name: string, points: [Attributes, number][]): MetricData =>
  ({ ...base, descriptor: descriptor(name), dataPointType: DataPointType.SUM, isMonotonic: false, dataPoints: points.map(([a, v]) => point(a, v)) });
const gauge = (name: string, points: [Attributes, number][]): MetricData =>
  ({ ...base, descriptor: descriptor(name), dataPointType: DataPointType.GAUGE, dataPoints: points.map(([a, v]) => point(a, v)) });
const histogram = (name: string, attributes: Attributes, boundaries: number[], counts: number[], sum?: number): MetricData => ({
  ...base, descriptor: descriptor(name, 'Duration.'), dataPointType: DataPointType.HISTOGRAM,
  dataPoints: [point(attributes, { buckets: { boundaries, counts }, count: counts.reduce((a, b) => a + b, 0), ...(sum !== undefined ? { sum } : {}) })],
});
function text(metrics: MetricData[], attributes: Attributes = {}, options = {}): string {
  const rm: ResourceMetrics = { resource: Object.keys(attributes).length ? resourceFromAttributes(attributes) : emptyResource(), scopeMetrics: [{ scope: { name: 't' }, metrics }] };
  return toPrometheusText(rm, options);
}

describe('telemetry/prometheus-exposition', () => {
  it('escapes label values: backslash, double quote and newline', () => {
    const cases: [string, string][] = [
      ['plain', 'plain'],
      ['C:\\dir', 'C:\\\\dir'],
      ['say "hi"', 'say \\"hi\\"'],
      ['two\nlines', 'two\\nlines'],
      ['\\"\n', '\\\\\\"\\n'],
      ['', ''],
    ];
    for (const [input, expected] of cases) assert.equal(escapeLabelValue(input), expected, JSON.stringify(input));
    assert.equal(text([counter('c_total', [[{ path: 'a"b\\c\nd' }, 1]])]), '# TYPE c_total counter\nc_total{path="a\\"b\\\\c\\nd"} 1\n');
  });

  it('writes counters with _total, HELP and TYPE lines, sorted series', () => {
    assert.equal(
      text([counter('istio_requests', [[{ b: '2', a: '1' }, 3], [{ a: '0', b: '9' }, 4]], 'Requests.\nAll of them \\ really.')]),
      [
        '# HELP istio_requests_total Requests.\\nAll of them \\\\ really.',
        '# TYPE istio_requests_total counter',
        'istio_requests_total{a="0",b="9"} 4',
        'istio_requests_total{a="1",b="2"} 3',
        '',
      ].join('\n'),
    );
    assert.equal(text([counter('pilot_xds_pushes', [[{ type: 'cds' }, 2]])], {}, { counterSuffix: false }), '# TYPE pilot_xds_pushes counter\npilot_xds_pushes{type="cds"} 2\n');
    assert.equal(text([counter('already_total', [[{}, 1]])]), '# TYPE already_total counter\nalready_total 1\n');
  });

  it('writes up-down counters and gauges as gauges, with special float values', () => {
    assert.equal(text([upDown('inflight', [[{}, -2]]), gauge('g', [[{ k: 'v' }, NaN], [{ k: 'w' }, Infinity]])]),
      '# TYPE inflight gauge\ninflight -2\n# TYPE g gauge\ng{k="v"} NaN\ng{k="w"} +Inf\n');
    const cases: [number, string][] = [[0, '0'], [1.5, '1.5'], [-Infinity, '-Inf'], [1e21, '1e+21'], [0.1, '0.1']];
    for (const [n, s] of cases) assert.equal(formatNumber(n), s);
  });

  it('writes histograms as cumulative _bucket lines ending at +Inf, then _sum and _count', () => {
    assert.equal(text([histogram('d_ms', { route: 'r' }, [0.5, 1, 5], [1, 0, 2, 3], 99.5)]), [
      '# HELP d_ms Duration.',
      '# TYPE d_ms histogram',
      'd_ms_bucket{route="r",le="0.5"} 1',
      'd_ms_bucket{route="r",le="1"} 1',
      'd_ms_bucket{route="r",le="5"} 3',
      'd_ms_bucket{route="r",le="+Inf"} 6',
      'd_ms_sum{route="r"} 99.5',
      'd_ms_count{route="r"} 6',
      '',
    ].join('\n'));
    assert.equal(text([histogram('empty', {}, [], [0])]), '# HELP empty Duration.\n# TYPE empty histogram\nempty_bucket{le="+Inf"} 0\nempty_count 0\n');
  });

  it('renders nothing for nothing, and target_info for a resource with attributes', () => {
    assert.equal(text([]), '');
    assert.equal(text([counter('c', [])]), '');
    assert.equal(text([], { 'service.name': 'reviews' }), '# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{service_name="reviews"} 1\n');
    assert.equal(text([], { 'service.name': 'reviews' }, { targetInfo: false }), '');
  });

  it('sanitizes names, joins colliding label names, encodes arrays as JSON, and says what it skipped', () => {
    const cases: [string, string][] = [['http.server.duration', 'http_server_duration'], ['9lives', '_9lives'], ['a:b', 'a:b']];
    for (const [input, expected] of cases) assert.equal(metricName(input), expected);
    assert.equal(labelName('a:b'), 'a_b');
    assert.equal(labelName('1x'), '_1x');
    assert.equal(text([gauge('g', [[{ 'a.b': 'x', a_b: 'y', list: ['p', 'q'] }, 1]])]), '# TYPE g gauge\ng{a_b="x;y",list="[\\"p\\",\\"q\\"]"} 1\n');
    const expo: MetricData = { ...base, descriptor: descriptor('expo'), dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM, dataPoints: [] };
    assert.equal(text([expo, gauge('x', [[{}, 1]]), counter('x', [[{}, 1]])], {}, { counterSuffix: false }),
      '# TYPE x gauge\nx 1\n# expo skipped: exponential histograms have no text-format representation\n# x skipped: its name x is already a gauge\n');
  });

  it('renders what a real MeterProvider collected', async () => {
    const reader = new PrometheusReader();
    const provider = new MeterProvider({ readers: [reader], resource: resourceFromAttributes({ 'service.name': 'ratings' }) });
    const meter = provider.getMeter('t');
    meter.createCounter('hits', { description: 'Hits.' }).add(2, { code: '200' });
    meter.createHistogram('lat', { advice: { explicitBucketBoundaries: [10] } }).record(4);
    meter.createObservableGauge('up').addCallback((r) => r.observe(1));
    const rendered = await reader.render();
    assert.match(rendered, /^target_info\{service_name="ratings"\} 1$/m);
    assert.match(rendered, /^# TYPE hits_total counter\nhits_total\{code="200"\} 2$/m);
    assert.match(rendered, /^lat_bucket\{le="10"\} 1\nlat_bucket\{le="\+Inf"\} 1\nlat_sum 4\nlat_count 1$/m);
    assert.match(rendered, /^up 1$/m);
    await provider.shutdown();
  });
});
