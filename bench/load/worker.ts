// Entry point of a load process (started by ./load-process.ts over an IPC channel): receives one job,
// sets its driver up, runs the phases in order, reports window edges and the result, and exits.
import { createDriver } from './drivers';
import { NotRunError, type Driver } from './driver';
import { runClosedLoop } from './closed-loop';
import { runOpenLoop } from './open-loop';
import type { LoadJob, LoadJobResult, PhaseResult, RunJobMessage, WorkerMessage } from './job';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

async function runJob(job: LoadJob): Promise<LoadJobResult> {
  const driver: Driver = createDriver(job.driver);
  await driver.setup(job.target);
  try {
    const phases: PhaseResult[] = [];
    for (const [index, phase] of job.phases.entries()) {
      const onWindow = (edge: 'start' | 'end') => void send({ type: 'window', phase: index, edge });
      phases.push(phase.mode === 'closed' ? await runClosedLoop(driver, phase, onWindow) : await runOpenLoop(driver, phase, onWindow));
    }
    return { driver: job.driver, phases, peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10 };
  } finally {
    await driver.close().catch(() => {});
  }
}

async function onMessage(message: RunJobMessage): Promise<void> {
  if (message?.type !== 'run') return;
  let reply: WorkerMessage;
  try {
    reply = { type: 'done', result: await runJob(message.job) };
  } catch (error) {
    reply = error instanceof NotRunError
      ? { type: 'not-run', reason: error.message }
      : { type: 'failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  await send(reply);
  // Some clients keep sockets or timers alive after close(); the job is over, so leave now.
  process.exit(0);
}

if (!process.send) {
  process.stderr.write('bench/load/worker.ts is started by the bench over IPC; run `npm run bench` instead\n');
  process.exit(2);
}
process.on('message', (message: RunJobMessage) => void onMessage(message));
