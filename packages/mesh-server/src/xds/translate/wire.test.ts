// Every produced resource goes through the real wire path: @inboard/xds's strict encoder (catches
// misspelt fields, wrong enums, unknown Any types) and grpc-js-xds 1.14's own validators (anything an
// unmodified grpc-js-xds client would NACK fails here).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { translate } from './index';
import { kitchenSinkConfig, kitchenSinkRegistry } from './kitchen-sink';
import { applySamples, bookinfoRegistry, grpcClient, ingressGateway, sample, SAMPLES, sidecar } from './test-support';
import { encodeErrors, grpcNacks } from './wire-check';

describe('translate: wire encoding and grpc-js-xds acceptance', function () {
  this.timeout(20_000);

  it('encodes every resource of the kitchen sink for every kind of client', () => {
    const input = { config: kitchenSinkConfig(), registry: kitchenSinkRegistry() };
    for (const proxy of [sidecar(), grpcClient(), sidecar({ namespace: 'other', labels: { app: 'productpage' } }), ingressGateway()]) {
      const result = translate(input, proxy);
      assert.ok(result.listeners.size > 0 && result.routes.size > 0 && result.clusters.size > 0, proxy.id);
      assert.deepEqual(encodeErrors(result).errors, [], proxy.id);
    }
  });

  it('a grpc-js-xds client accepts (does not NACK) everything served to it from the kitchen sink', () => {
    const result = translate({ config: kitchenSinkConfig(), registry: kitchenSinkRegistry() }, grpcClient());
    assert.deepEqual(grpcNacks(result), []);
  });

  it('a grpc-js-xds client accepts every BookInfo sample (and the circuit-breaking, mirroring and timeout tasks)', () => {
    const files = fs.readdirSync(path.join(SAMPLES, 'bookinfo/networking')).filter((f) => f.endsWith('.yaml')).sort();
    for (const file of files) {
      const config = applySamples(['bookinfo/networking/destination-rule-all.yaml', `bookinfo/networking/${file}`]);
      assert.deepEqual(grpcNacks(translate({ config, registry: bookinfoRegistry() }, grpcClient())), [], file);
    }
    for (const file of ['tasks/circuit-breaking/destination-rule-httpbin.yaml', 'tasks/mirroring/httpbin-mirror-v2.yaml', 'tasks/request-timeouts/reviews-v2-timeout-0.5s.yaml']) {
      const config = [...sample(file), ...sample('bookinfo/networking/destination-rule-all.yaml', 'default', 5)];
      assert.deepEqual(grpcNacks(translate({ config, registry: bookinfoRegistry() }, grpcClient())), [], file);
    }
  });

  it('the checks can fail: a misspelt field fails encoding, a locality-less endpoint group is NACKed', () => {
    const good = translate({ config: [], registry: bookinfoRegistry() }, grpcClient());
    const misspelt = new Map(good.clusters);
    misspelt.set('bad', { name: 'bad', type: 'EDS', lb_polcy: 'ROUND_ROBIN' });
    assert.match(encodeErrors({ ...good, clusters: misspelt }).errors.join('\n'), /clusters\/bad: .*lb_polcy/);
    const endpoints = new Map(good.endpoints);
    endpoints.set('x', { cluster_name: 'x', endpoints: [{ lb_endpoints: [], load_balancing_weight: { value: 1 } }] });
    assert.match(grpcNacks({ ...good, endpoints }).join('\n'), /endpoints\/x: .*locality unset/);
  });
});
