import assert from 'node:assert/strict';
import type { HTTPFaultInjection } from '../../config/istio-types';
import { corsFilterConfig, faultFilterConfig } from './route-filters';

const FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

describe('translate/route-filters', () => {
  const table: [string, HTTPFaultInjection, Record<string, unknown> | undefined][] = [
    ['fixed delay 7s at 100 %', { delay: { fixedDelay: '7s', percentage: { value: 100 } } },
      { '@type': FAULT, delay: { fixed_delay: { seconds: 7, nanos: 0 }, percentage: { numerator: 1_000_000, denominator: 'MILLION' } } }],
    ['deprecated integer delay.percent', { delay: { fixedDelay: '2s', percent: 50 } },
      { '@type': FAULT, delay: { fixed_delay: { seconds: 2, nanos: 0 }, percentage: { numerator: 50, denominator: 'HUNDRED' } } }],
    ['delay without percentage delays nothing', { delay: { fixedDelay: '1s' } },
      { '@type': FAULT, delay: { fixed_delay: { seconds: 1, nanos: 0 }, percentage: { numerator: 0, denominator: 'HUNDRED' } } }],
    ['http abort 555 at 100 %', { abort: { httpStatus: 555, percentage: { value: 100 } } },
      { '@type': FAULT, abort: { http_status: 555, percentage: { numerator: 1_000_000, denominator: 'MILLION' } } }],
    ['grpc abort by status name at 12.5 %', { abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 12.5 } } },
      { '@type': FAULT, abort: { grpc_status: 14, percentage: { numerator: 125_000, denominator: 'MILLION' } } }],
    ['abort without percentage aborts nothing (written out for grpc-js-xds)', { abort: { httpStatus: 500 } },
      { '@type': FAULT, abort: { http_status: 500, percentage: { numerator: 0, denominator: 'HUNDRED' } } }],
    ['delay and abort together', { delay: { fixedDelay: '100ms', percentage: { value: 10 } }, abort: { httpStatus: 503, percentage: { value: 1 } } }, {
      '@type': FAULT,
      delay: { fixed_delay: { seconds: 0, nanos: 100_000_000 }, percentage: { numerator: 100_000, denominator: 'MILLION' } },
      abort: { http_status: 503, percentage: { numerator: 10_000, denominator: 'MILLION' } },
    }],
  ];
  for (const [name, fault, expected] of table) {
    it(name, () => {
      const warnings: string[] = [];
      assert.deepEqual(faultFilterConfig(fault, (m) => warnings.push(m)), expected);
      assert.deepEqual(warnings, []);
    });
  }

  it('warns and drops a fault it cannot express', () => {
    const warnings: string[] = [];
    assert.equal(faultFilterConfig({ abort: { grpcStatus: 'NOPE', percentage: { value: 1 } } }, (m) => warnings.push(m)), undefined);
    assert.equal(faultFilterConfig({ delay: { percentage: { value: 1 } } }, (m) => warnings.push(m)), undefined);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /grpcStatus "NOPE"/);
    assert.match(warnings[1]!, /only fixedDelay/);
  });

  it('translates a CORS policy into an optional FilterConfig', () => {
    const out = corsFilterConfig({
      allowOrigins: [{ exact: 'https://example.com' }, { regex: 'https://.*\\.example\\.com' }],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['x-a'],
      exposeHeaders: ['x-b'],
      maxAge: '24h',
      allowCredentials: true,
      unmatchedPreflights: 'IGNORE',
    }, () => undefined);
    assert.deepEqual(out, {
      '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig',
      is_optional: true,
      config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
        allow_origin_string_match: [{ exact: 'https://example.com' }, { safe_regex: { regex: 'https://.*\\.example\\.com' } }],
        allow_methods: 'GET,POST',
        allow_headers: 'x-a',
        expose_headers: 'x-b',
        max_age: '86400',
        allow_credentials: { value: true },
        filter_enabled: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
        forward_not_matching_preflights: { value: false },
      },
    });
  });

  it('accepts the deprecated allowOrigin strings', () => {
    const out = corsFilterConfig({ allowOrigin: ['*', 'https://a.b'] }, () => undefined);
    const config = out.config as Record<string, unknown>;
    assert.deepEqual(config.allow_origin_string_match, [{ safe_regex: { regex: '.*' } }, { exact: 'https://a.b' }]);
    assert.deepEqual(config.forward_not_matching_preflights, { value: true });
  });
});
