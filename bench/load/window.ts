// A measurement window inside the load process: wall time, process CPU (all threads) and main-thread
// event-loop utilization between start() and end().
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** What a closed window measured. */
export interface WindowFigures {
  readonly elapsedMs: number;
  readonly cpuUs: number;
  readonly eventLoopUtilization: number;
}

/** Samples the clocks at the start and end of a window; `end()` returns the deltas. */
export class MeasurementWindow {
  private startedAt = 0;
  private cpu: NodeJS.CpuUsage | undefined;
  private elu: EventLoopUtilization | undefined;

  start(): void {
    this.startedAt = performance.now();
    this.cpu = process.cpuUsage();
    this.elu = performance.eventLoopUtilization();
  }

  get started(): boolean {
    return this.cpu !== undefined;
  }

  end(): WindowFigures {
    if (!this.cpu || !this.elu) throw new Error('measurement window ended before it started');
    const cpu = process.cpuUsage(this.cpu);
    return {
      elapsedMs: performance.now() - this.startedAt,
      cpuUs: cpu.user + cpu.system,
      eventLoopUtilization: performance.eventLoopUtilization(this.elu).utilization,
    };
  }
}

/** Per-request and per-core figures of a window with `requests` requests in it. */
export function perRequest(figures: WindowFigures, requests: number): { cpuUsPerRequest: number; cpuCores: number } {
  return {
    cpuUsPerRequest: requests > 0 ? round2(figures.cpuUs / requests) : 0,
    cpuCores: figures.elapsedMs > 0 ? round3(figures.cpuUs / (figures.elapsedMs * 1000)) : 0,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
