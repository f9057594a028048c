// Interop, resilience: what real @grpc/grpc-js-xds 1.14 clients do with the fault, timeout, retry,
// circuit-breaker and outlier-detection config a real `inboard control-plane` serves them. Outcomes
// only (status codes, which backend saw which attempt), never durations. Modelled on the official
// xDS interop cases fault_injection, timeout, retry and circuit_breaking.

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { until } from './cli-harness';
import {
  RPC_BEHAVIOR, backendsById, countStatus, destination, destinationRule, echoService, fqdn, fqdnTarget, outsideBinomial, tally,
  useInteropMesh, virtualService, type CallOutcome, type InteropMesh,
} from './xds-interop-harness';

const BACKENDS = backendsById('v1-a', 'v1-b', 'v2-a');

const NO_RETRIES = { attempts: 0 };
const statuses = (outcomes: readonly CallOutcome[]) => new Set(outcomes.map((o) => grpc.status[o.code]));

describe('xDS interop (resilience): grpc-js-xds clients against inboard control-plane', function () {
  this.timeout(20_000);
  let mesh: InteropMesh;
  useInteropMesh(BACKENDS, (started) => (mesh = started));

  it('fault delay: a 300 ms fixed delay outlasts a 100 ms deadline (DEADLINE_EXCEEDED, never sent) but not a 5 s one', async () => {
    const client = await mesh.deploy('delay', 'resilience-delay', (host) => [
      virtualService('delay', host, [{ fault: { delay: { fixedDelay: '0.3s', percentage: { value: 100 } } }, route: [destination(host)] }]),
    ]);
    const short = await client.call({ deadlineMs: 100 });
    assert.equal(grpc.status[short.code], 'DEADLINE_EXCEEDED');
    assert.equal(mesh.backends.attemptsOf(short.callId).length, 0, 'a delayed call whose deadline passes never reaches a backend');
    const long = await client.call({ deadlineMs: 5_000 });
    assert.equal(grpc.status[long.code], 'OK');
    assert.equal(mesh.backends.attemptsOf(long.callId).length, 1);
  });

  it('fault abort at 100 %: grpcStatus UNAVAILABLE and httpStatus 503 both reach the client as UNAVAILABLE, no backend called', async () => {
    const grpcHost = fqdn('abort-grpc');
    const httpHost = fqdn('abort-http');
    await mesh.apply([
      echoService('abort-grpc'),
      echoService('abort-http'),
      virtualService('abort-grpc', grpcHost, [{ fault: { abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 100 } } }, route: [destination(grpcHost)] }]),
      virtualService('abort-http', httpHost, [{ fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }, route: [destination(httpHost)] }]),
    ]);
    for (const service of ['abort-grpc', 'abort-http']) {
      const client = await mesh.client(fqdnTarget(service), `resilience-${service}`);
      const outcomes = await client.sequential(20);
      assert.deepEqual(statuses(outcomes), new Set(['UNAVAILABLE']), service);
      assert.match(outcomes[0]!.details, /[Ff]ault/, `${service}: the status says it was injected`);
      assert.equal(outcomes.filter((o) => mesh.backends.attemptsOf(o.callId).length > 0).length, 0, `${service}: aborted calls are not sent (nor retried)`);
    }
  });

  it('fault abort at 50 %: about half of 400 RPCs are aborted (±5σ), the rest reach a backend once', async () => {
    const client = await mesh.deploy('abort-half', 'resilience-abort-half', (host) => [
      virtualService('abort-half', host, [{ fault: { abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 50 } } }, route: [destination(host)] }]),
    ]);
    const outcomes = await client.batch(400, 10);
    const aborted = countStatus(outcomes, grpc.status.UNAVAILABLE);
    assert.equal(aborted + countStatus(outcomes, grpc.status.OK), 400, JSON.stringify(tally(outcomes)));
    assert.equal(outsideBinomial(aborted, 400, 0.5, 'aborted'), undefined);
    for (const o of outcomes) assert.equal(mesh.backends.attemptsOf(o.callId).length, o.code === grpc.status.OK ? 1 : 0, o.callId);
  });

  it('route timeout: a backend slower than the VirtualService timeout gives DEADLINE_EXCEEDED despite a long client deadline', async () => {
    const client = await mesh.deploy('timeout', 'resilience-timeout', (host) => [virtualService('timeout', host, [{ timeout: '0.5s', route: [destination(host)] }])]);
    const slow = await client.call({ deadlineMs: 20_000, metadata: { [RPC_BEHAVIOR]: 'sleep-ms-3000' } });
    assert.equal(grpc.status[slow.code], 'DEADLINE_EXCEEDED');
    assert.equal(mesh.backends.attemptsOf(slow.callId).length, 1, 'the call reached a backend');
    const quick = await client.call({ deadlineMs: 20_000 });
    assert.equal(grpc.status[quick.code], 'OK');
  });

  it('retry: attempts 3 on unavailable turns 3 UNAVAILABLE answers into OK on the 4th attempt; attempts 2 gives up after 3', async () => {
    const behaviour = { [RPC_BEHAVIOR]: 'succeed-on-retry-attempt-3,error-code-14' };
    const cases = [{ attempts: 3, status: 'OK', attemptsSeen: [0, 1, 2, 3] }, { attempts: 2, status: 'UNAVAILABLE', attemptsSeen: [0, 1, 2] }];
    for (const { attempts, status, attemptsSeen } of cases) {
      const service = `retry-${attempts}`;
      const client = await mesh.deploy(service, `resilience-${service}`, (host) => [
        virtualService(service, host, [{ retries: { attempts, retryOn: 'unavailable' }, route: [destination(host)] }]),
      ]);
      const outcome = await client.call({ metadata: behaviour });
      assert.equal(grpc.status[outcome.code], status, `${service}: ${outcome.details}`);
      assert.deepEqual(mesh.backends.attemptsOf(outcome.callId).map((c) => c.attempt), attemptsSeen, service);
    }
  });

  it("retry by default: without a retries block, Istio's default policy (2 retries on unavailable) applies", async () => {
    const client = await mesh.deploy('retry-default', 'resilience-retry-default');
    const ok = await client.call({ metadata: { [RPC_BEHAVIOR]: 'succeed-on-retry-attempt-2,error-code-14' } });
    assert.equal(grpc.status[ok.code], 'OK', ok.details);
    assert.deepEqual(mesh.backends.attemptsOf(ok.callId).map((c) => c.attempt), [0, 1, 2]);
    const failed = await client.call({ metadata: { [RPC_BEHAVIOR]: 'succeed-on-retry-attempt-3,error-code-14' } });
    assert.equal(grpc.status[failed.code], 'UNAVAILABLE');
    assert.equal(mesh.backends.attemptsOf(failed.callId).length, 3);
    // INTERNAL is not in Istio's default retryOn: one attempt only.
    const internal = await client.call({ metadata: { [RPC_BEHAVIOR]: 'error-code-13' } });
    assert.equal(grpc.status[internal.code], 'INTERNAL');
    assert.equal(mesh.backends.attemptsOf(internal.callId).length, 1);
  });

  it('circuit breaking: http2MaxRequests 1 fails concurrent calls with UNAVAILABLE while one is in flight, locally', async () => {
    const client = await mesh.deploy('breaker', 'resilience-breaker', (host) => [destinationRule('breaker', host, { connectionPool: { http: { http2MaxRequests: 1 } } })]);
    const received = mesh.backends.received.length;
    const held = client.call({ metadata: { [RPC_BEHAVIOR]: 'hold' }, deadlineMs: 10_000 });
    await until(() => mesh.backends.heldCount === 1, 'the held call to reach a backend');
    const overflow = await client.batch(5, 5);
    assert.deepEqual(statuses(overflow), new Set(['UNAVAILABLE']), JSON.stringify(overflow));
    assert.equal(mesh.backends.received.length, received + 1, 'overflowing calls never left the client');
    mesh.backends.releaseHeld();
    assert.equal(grpc.status[(await held).code], 'OK');
    assert.equal(grpc.status[(await client.call()).code], 'OK', 'capacity is back once the held call ended');
  });

  it('outlier detection: grpc-js-xds 1.14 does not eject on consecutive errors (Istio has no success-rate fields), so a failing endpoint keeps its share', async () => {
    const host = fqdn('outlier');
    const client = await mesh.deploy('outlier', 'resilience-outlier', () => [
      destinationRule('outlier', host, { outlierDetection: { consecutive5xxErrors: 1, consecutiveGatewayErrors: 1, interval: '0.01s', baseEjectionTime: '30s', maxEjectionPercent: 100 } }),
      virtualService('outlier', host, [{ retries: NO_RETRIES, route: [destination(host, 'v1')] }]),
    ]);
    // v1-b fails every call. Call until at least 20 detection intervals (10 ms) have passed — Envoy
    // and mesh-client would have ejected v1-b after its first failure — then look at the last calls.
    const failing = { metadata: { [RPC_BEHAVIOR]: 'hostname=v1-b error-code-14' } };
    const started = Date.now();
    let outcomes: CallOutcome[] = [];
    while (Date.now() - started < 200) outcomes = outcomes.concat(await client.sequential(10, failing));
    const last = await client.sequential(20, failing);
    assert.deepEqual(tally(last), { 'v1-a': 10, UNAVAILABLE: 10 }, 'round robin keeps alternating: v1-b was never ejected');
    assert.ok(last.filter((o) => o.code !== grpc.status.OK).every((o) => /v1-b answers/.test(o.details)));
    // What it was sent: Envoy's consecutive-error detectors, which gRPC (gRFC A50) does not implement.
    const dump = (await mesh.configDump('resilience-outlier')).clusters.find((c: any) => c.name === `outbound|7070|v1|${host}`);
    assert.equal(dump.outlier_detection.consecutive_5xx.value, 1);
    assert.equal(dump.outlier_detection.enforcing_success_rate.value, 0);
    assert.equal(dump.outlier_detection.enforcing_failure_percentage, undefined);
  });
});
