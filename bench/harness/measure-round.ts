// Measures one round of one load scenario: runs its job in a fresh load process on the client core,
// samples the server's, the proxies' and the whole machine's CPU at the window edges, and re-measures
// once (within the run's patience) when other processes disturbed the windows.
import type { DriverTarget, MeshTarget } from '../load/driver';
import type { LoadJob, PhaseResult } from '../load/job';
import { runLoadProcess } from '../load/load-process';
import type { RunningChain } from '../proxies/proxy-chain';
import type { RunningServer } from '../servers/launch';
import type { MeasuredPhase, RoundFigures } from './aggregate';
import type { GroupContext } from './group';
import type { LoadScenario } from './load-group';
import { placedCommand } from './placement';
import { CpuProbe, sampleSystemBusyUs } from './proc-cpu';
import { BUSY_MACHINE_CORES } from './quiet';

/** A measured round, or why the scenario cannot be measured. */
export type MeasureOutcome = { readonly figures: RoundFigures } | { readonly status: 'not-run' | 'failed'; readonly reason: string };

/** Warm-up of the open-loop phase, which runs in a process the closed loop has already warmed. */
export function openWarmupMs(settings: { readonly warmupMs: number }): number {
  return Math.min(settings.warmupMs, 1000);
}

/** The most CPU other processes used in either window of a round, cores. */
export function backgroundOf(figures: RoundFigures): number {
  return Math.max(figures.closed.backgroundCpuCores, figures.open.backgroundCpuCores);
}

/**
 * Measures once the machine is quiet; if other processes still disturbed the windows and patience is
 * left, measures again and keeps the less disturbed attempt.
 */
export async function measureRound(
  context: GroupContext,
  scenario: LoadScenario,
  server: RunningServer,
  chain: RunningChain | undefined,
  mesh: MeshTarget | undefined,
): Promise<MeasureOutcome & { readonly remeasured?: boolean }> {
  const measure = () => measureOnce(context, scenario, server, chain, mesh);
  await context.quiet.waitForQuiet();
  const first = await measure();
  if (!('figures' in first) || backgroundOf(first.figures) < BUSY_MACHINE_CORES || context.quiet.remainingMs <= 0) return first;
  const started = Date.now();
  await context.quiet.waitForQuiet();
  const second = await measure();
  context.quiet.spend(Date.now() - started);
  if (!('figures' in second)) return first;
  return backgroundOf(second.figures) < backgroundOf(first.figures) ? { ...second, remeasured: true } : first;
}

/** One round of one scenario in a fresh load process. */
async function measureOnce(
  context: GroupContext,
  scenario: LoadScenario,
  server: RunningServer,
  chain: RunningChain | undefined,
  mesh: MeshTarget | undefined,
): Promise<MeasureOutcome> {
  const { settings } = context;
  const entryPort = chain?.entryPort ?? server.port;
  const target: DriverTarget = {
    url: `http://127.0.0.1:${entryPort}/bench`,
    ...(scenario.server === 'grpc' ? { grpcAddress: `127.0.0.1:${entryPort}` } : {}),
    connections: settings.concurrency,
    payloadBytes: settings.bodyBytes,
    ...(scenario.mesh && mesh ? { mesh } : {}),
  };
  const job: LoadJob = {
    driver: scenario.driver,
    target,
    phases: [
      { mode: 'closed', concurrency: settings.concurrency, warmupMs: settings.warmupMs, durationMs: settings.durationMs, ...(settings.requests ? { requests: settings.requests } : {}) },
      // The closed loop has warmed the JIT and the connections; the open loop only settles at its rate.
      { mode: 'open', ratePerSec: settings.rate, warmupMs: openWarmupMs(settings), durationMs: settings.durationMs, maxInFlight: 1024, pacer: settings.pacer, drainTimeoutMs: 10_000 },
    ],
  };
  const serverProbe = new CpuProbe([server.pid], context.ticksPerSecond);
  const proxyProbe = new CpuProbe(chain?.pids ?? [], context.ticksPerSecond);
  const samples: CpuSample[][] = [[], []];
  const outcome = await runLoadProcess(job, {
    wrap: (command, args) => placedCommand(context.placement, 'client', command, args),
    timeoutMs: settings.warmupMs + openWarmupMs(settings) + 2 * settings.durationMs + (settings.requests ? 600_000 : 0) + 90_000,
    onWindow: (phase, edge) => {
      samples[phase]![edge === 'start' ? 0 : 1] = { server: serverProbe.sampleUs(), proxy: proxyProbe.sampleUs(), system: sampleSystemBusyUs(context.ticksPerSecond) };
    },
    onStart: (child) => {
      context.processes.add(child);
      child.once('exit', () => void context.processes.stop(child));
    },
  });
  if (outcome.status !== 'done') return { status: outcome.status, reason: outcome.status === 'not-run' ? outcome.reason : outcome.error };
  const [closed, open] = outcome.result.phases.map((phase, index) => withOtherCpu(phase, samples[index]!));
  return { figures: { closed: closed!, open: open!, peakRssMb: outcome.result.peakRssMb } };
}

/** CPU counters (µs) sampled at a window edge: the server, the proxies, the whole machine. */
interface CpuSample {
  readonly server: number;
  readonly proxy: number;
  readonly system: number;
}

/** Adds the server's and proxies' CPU over the phase's window to the client's figures. */
function withOtherCpu(phase: PhaseResult, window: CpuSample[]): MeasuredPhase {
  const [start, end] = window;
  const requests = phase.ok + Object.values(phase.errors).reduce((sum, count) => sum + count, 0);
  const perRequest = (us: number) => (requests > 0 ? Number((us / requests).toFixed(2)) : 0);
  const cores = (us: number) => (phase.windowMs > 0 ? Number((us / (phase.windowMs * 1000)).toFixed(3)) : 0);
  const serverUs = start && end ? end.server - start.server : 0;
  const proxyUs = start && end ? end.proxy - start.proxy : 0;
  const clientUs = phase.cpuCores * phase.windowMs * 1000;
  const backgroundUs = start && end && end.system > 0 ? Math.max(0, end.system - start.system - clientUs - serverUs - proxyUs) : 0;
  return {
    ...phase,
    serverCpuUsPerRequest: perRequest(serverUs),
    serverCpuCores: cores(serverUs),
    proxyCpuUsPerRequest: perRequest(proxyUs),
    proxyCpuCores: cores(proxyUs),
    backgroundCpuCores: cores(backgroundUs),
  };
}
