// One HTTP request ON THE MESH, printed like curl — Istio's tasks `kubectl exec` curl in a sleep
// pod; this is that pod: mesh.fetch as the workload `sleep`. Usage:
//   mesh-curl.ts [--control-plane 127.0.0.1:15010] [-i] [-X METHOD] [-H 'name: value'] URL
import { STATUS_CODES } from 'node:http';
import { parseArgs } from 'node:util';
import { connect } from '@inboard/mesh-client';
import { StartError } from './errors';
import { splitMeshFlags } from './mesh-flags';

/** Usage of mesh-curl. */
export const MESH_CURL_USAGE = `usage: mesh-curl.ts [--control-plane HOST:PORT] [-i] [-X METHOD] [-H 'name: value']... URL
  -i, --include         print the status line and response headers
  -X, --request METHOD  request method (default GET)
  -H, --header 'N: V'   request header, repeatable
`;

async function main(): Promise<number> {
  const { mesh: identity, serviceArgv } = splitMeshFlags(process.argv.slice(2), process.env);
  let parsed;
  try {
    parsed = parseArgs({
      args: serviceArgv,
      allowPositionals: true,
      strict: true,
      options: { include: { type: 'boolean', short: 'i' }, request: { type: 'string', short: 'X' }, header: { type: 'string', short: 'H', multiple: true }, help: { type: 'boolean' } },
    });
  } catch (error) {
    throw new StartError('BAD_FLAG', `${(error as Error).message}\n${MESH_CURL_USAGE}`);
  }
  if (parsed.values.help) {
    process.stdout.write(MESH_CURL_USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new StartError('BAD_FLAG', `give exactly one URL\n${MESH_CURL_USAGE}`);
  const headers: Record<string, string> = {};
  for (const header of parsed.values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new StartError('BAD_FLAG', `-H expects 'name: value', got "${header}"`);
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  const mesh = connect({ controlPlane: identity.controlPlane, service: 'sleep', namespace: identity.namespace, serviceAccount: identity.serviceAccount ?? 'sleep' });
  try {
    await mesh.ready;
    const response = await mesh.fetch(parsed.positionals[0]!, { method: parsed.values.request ?? 'GET', headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    if (parsed.values.include) {
      process.stdout.write(`HTTP/1.1 ${response.status} ${response.statusText || STATUS_CODES[response.status] || ''}\n`);
      response.headers.forEach((value, name) => process.stdout.write(`${name}: ${value}\n`));
      process.stdout.write('\n');
    }
    process.stdout.write(Buffer.from(await response.arrayBuffer()));
    return 0;
  } finally {
    await mesh.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const coded = error as { code?: unknown };
    process.stderr.write(`${typeof coded.code === 'string' ? `${coded.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof StartError ? 2 : 1);
  },
);
