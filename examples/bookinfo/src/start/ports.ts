// Checks, before anything starts, that every fixed port `npm start` needs is free on loopback, so a
// busy port fails at once with a message naming the port and the flag that moves it.
import net from 'node:net';
import { StartError } from './errors';

/** A port to check and what it is for (shown in the error). */
export interface WantedPort {
  readonly port: number;
  /** e.g. "the ingress gateway (--gateway-port)". */
  readonly what: string;
}

function tryListen(port: number, host: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** Throws PORT_IN_USE for the first busy port (port 0 is skipped: it is picked at bind time). */
export async function assertPortsFree(wanted: readonly WantedPort[], host = '127.0.0.1'): Promise<void> {
  const seen = new Map<number, string>();
  for (const { port, what } of wanted) {
    if (port === 0) continue;
    const earlier = seen.get(port);
    if (earlier !== undefined) throw new StartError('PORT_IN_USE', `port ${port} is wanted twice: by ${earlier} and by ${what}; change one of them`);
    seen.set(port, what);
    const error = await tryListen(port, host);
    if (error?.code === 'EADDRINUSE') {
      throw new StartError('PORT_IN_USE', `port ${port} on ${host}, needed by ${what}, is already in use (another \`npm start\`?); stop what uses it or pick another port (0 = any free port)`);
    }
    if (error) throw new StartError('PORT_IN_USE', `cannot bind port ${port} on ${host} for ${what}: ${error.message}`);
  }
}
