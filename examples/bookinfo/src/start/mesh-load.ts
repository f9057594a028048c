// The fortio-like load client ON THE MESH — Istio's circuit-breaking task runs `fortio load` inside
// the mesh; this is that: the same flags as support/load-cli.ts, calls made with mesh.fetch as the
// workload `fortio`, so the caller-side circuit breakers, retries and routes apply. Usage:
//   mesh-load.ts [--control-plane 127.0.0.1:15010] -c 2 -qps 0 -n 20 http://httpbin:8000/get
import { connect } from '@inboard/mesh-client';
import { loadMain } from '../support/load-cli';
import { splitMeshFlags } from './mesh-flags';

async function main(): Promise<number> {
  const { mesh: identity, serviceArgv } = splitMeshFlags(process.argv.slice(2), process.env);
  const mesh = connect({ controlPlane: identity.controlPlane, service: 'fortio', namespace: identity.namespace, serviceAccount: identity.serviceAccount ?? 'fortio' });
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  try {
    await mesh.ready;
    return await loadMain(serviceArgv, mesh.fetch, (text) => process.stdout.write(text), stop.signal);
  } finally {
    await mesh.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const coded = error as { code?: unknown };
    process.stderr.write(`${typeof coded.code === 'string' ? `${coded.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
