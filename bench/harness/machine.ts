// The facts about the machine and runtime a result depends on, recorded with every run.
import fs from 'node:fs';
import os from 'node:os';

/** Machine and runtime facts written into the results file and the report header. */
export interface MachineFacts {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
  readonly kernel: string;
  /** True when the CPU flags say the machine is a virtual machine. */
  readonly virtualMachine: boolean;
  /** cpufreq governor of core 0, or "n/a" where the VM does not expose one. */
  readonly governor: string;
}

function readFirst(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads the facts of this machine. */
export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  const osRelease = readFirst('/etc/os-release')?.match(/^PRETTY_NAME="?([^"\n]*)"?$/m)?.[1];
  const cpuinfo = readFirst('/proc/cpuinfo') ?? '';
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    os: osRelease ?? `${os.type()} ${os.release()}`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    virtualMachine: /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo),
    governor: readFirst('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor')?.trim() ?? 'n/a',
  };
}

/** One line for the report header. */
export function describeMachine(facts: MachineFacts): string {
  return `${facts.cpuModel}, ${facts.cores} cores${facts.virtualMachine ? ' (VM)' : ''}, ${facts.memoryGb} GB, ${facts.os}, ${facts.kernel}, Node ${facts.node}, governor ${facts.governor}`;
}
