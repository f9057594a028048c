import assert from 'node:assert/strict';
import { resolveOptions } from './defaults';
import { parseRetryOn, retryPolicy, type HTTPRetryInput } from './retry';

const PREVIOUS_HOSTS = {
  name: 'envoy.retry_host_predicates.previous_hosts',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' },
};
const DEFAULT = {
  retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
  num_retries: { value: 2 },
  retry_host_predicate: [PREVIOUS_HOSTS],
  host_selection_retry_max_attempts: 5,
};

describe('translate/retry', () => {
  const options = resolveOptions();
  const table: [string, HTTPRetryInput | undefined, Record<string, unknown> | undefined][] = [
    ['unset → Istio default policy (no status codes since Istio 1.24)', undefined, DEFAULT],
    ['attempts 0 → no retries at all', { attempts: 0 }, undefined],
    ['empty block → attempts 0 → no retries (istiod)', {}, undefined],
    ['attempts only keeps the default conditions', { attempts: 3 }, { ...DEFAULT, num_retries: { value: 3 } }],
    ['retryOn replaces the conditions', { attempts: 3, retryOn: 'gateway-error,connect-failure' },
      { ...DEFAULT, num_retries: { value: 3 }, retry_on: 'gateway-error,connect-failure' }],
    ['numeric retryOn entries become status codes', { attempts: 2, retryOn: '5xx,503, 429' },
      { ...DEFAULT, retry_on: '5xx,retriable-status-codes', retriable_status_codes: [503, 429] }],
    ['perTryTimeout and backoff', { attempts: 4, perTryTimeout: '2s', backoff: '50ms' }, {
      ...DEFAULT, num_retries: { value: 4 }, per_try_timeout: { seconds: 2, nanos: 0 }, retry_back_off: { base_interval: { seconds: 0, nanos: 50_000_000 } },
    }],
    ['retryIgnorePreviousHosts false drops the host predicate', { attempts: 2, retryIgnorePreviousHosts: false },
      { retry_on: DEFAULT.retry_on, num_retries: { value: 2 }, host_selection_retry_max_attempts: 5 }],
    ['retryRemoteLocalities adds the previous-priorities retry priority', { attempts: 1, retryRemoteLocalities: true }, {
      ...DEFAULT, num_retries: { value: 1 },
      retry_priority: {
        name: 'envoy.retry_priorities.previous_priorities',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig', update_frequency: 2 },
      },
    }],
  ];
  for (const [name, retries, expected] of table) {
    it(name, () => assert.deepEqual(retryPolicy(retries, false, options, () => undefined), expected));
  }

  it('keeps retries on the hashed host under consistent hashing', () => {
    const { retry_host_predicate: _p, ...rest } = DEFAULT;
    assert.deepEqual(retryPolicy(undefined, true, options, () => undefined), rest);
  });

  it('retries 503 by default only when asked to behave like Istio ≤ 1.23', () => {
    const legacy = resolveOptions({ retry503ByDefault: true });
    assert.deepEqual(retryPolicy(undefined, false, legacy, () => undefined), { ...DEFAULT, retriable_status_codes: [503] });
  });

  it('uses MeshConfig.defaultHttpRetryPolicy when the route sets none', () => {
    const custom = resolveOptions({ defaultHttpRetryPolicy: { attempts: 5, retryOn: 'reset' } });
    assert.deepEqual(retryPolicy(undefined, false, custom, () => undefined), { ...DEFAULT, num_retries: { value: 5 }, retry_on: 'reset' });
    const none = resolveOptions({ defaultHttpRetryPolicy: { attempts: 0 } });
    assert.equal(retryPolicy(undefined, false, none, () => undefined), undefined);
  });

  it('warns about unparseable durations instead of dropping them silently', () => {
    const warnings: string[] = [];
    const out = retryPolicy({ attempts: 1, perTryTimeout: 'soon' }, false, options, (m) => warnings.push(m));
    assert.equal(out!.per_try_timeout, undefined);
    assert.match(warnings[0]!, /perTryTimeout "soon"/);
  });

  it('parses retryOn like istiod', () => {
    assert.deepEqual(parseRetryOn('503'), { retryOn: 'retriable-status-codes', codes: [503] });
    assert.deepEqual(parseRetryOn('retriable-status-codes,502'), { retryOn: 'retriable-status-codes', codes: [502] });
    assert.deepEqual(parseRetryOn('cancelled,,unavailable'), { retryOn: 'cancelled,unavailable', codes: [] });
  });
});
