// Guards the figures against a busy machine: before a measurement, waits until other processes leave
// the CPU alone, and lets a measurement disturbed by them be taken again — within a run-wide
// "patience" budget, so a machine that never quietens still finishes in bounded time.
import { sampleSystemBusyUs } from './proc-cpu';

/** Background CPU (cores) from which a machine, or a measured window, counts as busy. */
export const BUSY_MACHINE_CORES = 0.15;

const SAMPLE_MS = 500;

/** Waits for a quiet machine and keeps account of the time spent doing so. */
export class QuietGate {
  private spentMs = 0;

  constructor(
    private readonly ticksPerSecond: number,
    private readonly patienceMs: number,
  ) {}

  /** Patience left, ms. */
  get remainingMs(): number {
    return Math.max(0, this.patienceMs - this.spentMs);
  }

  /** Charges time spent re-measuring to the patience budget. */
  spend(ms: number): void {
    this.spentMs += ms;
  }

  /**
   * Samples the whole machine's busy CPU over 0.5 s (the bench's own servers and proxies are idle
   * between measurements) until it is below {@link BUSY_MACHINE_CORES} or the patience is used up.
   * Returns the last sample in cores (0 when /proc/stat is unreadable or the patience is 0).
   */
  async waitForQuiet(): Promise<number> {
    if (this.patienceMs === 0) return 0; // never waits: do not even sample
    for (;;) {
      const started = Date.now();
      const before = sampleSystemBusyUs(this.ticksPerSecond);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
      const cores = (sampleSystemBusyUs(this.ticksPerSecond) - before) / ((Date.now() - started) * 1000);
      if (cores < BUSY_MACHINE_CORES || this.remainingMs <= 0) return cores;
      this.spend(Date.now() - started);
    }
  }
}
