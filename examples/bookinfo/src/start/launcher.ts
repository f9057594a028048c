// Starts the whole example, in order: the control plane (in this process, embedded store), the
// default config, every service instance as its own meshed process, then the ingress gateway; and
// stops it in reverse (gateway, services, control plane last). `start.ts` is the CLI around it.
import fs from 'node:fs';
import path from 'node:path';
import { startControlPlane, type ControlPlane } from '@inboard/mesh-server';
import { applyConfigFiles, CONFIG_DIR, DEFAULT_CONFIG_FILES } from './apply-config';
import { ChildSet } from './children';
import { StartError } from './errors';
import { planInstances, type InstanceSpec } from './fleet-plan';
import { GATEWAY_CONFIG_PORT, type StartOptions } from './options';
import { assertPortsFree } from './ports';
import { startTraffic, type Traffic } from './traffic';

/** How long one service process may take to connect and listen (tsx compiles on a 2-core machine). */
const SERVICE_READY_MS = 60_000;
/** How long the gateway may take to bind the bookinfo listener after it connected. */
const GATEWAY_LISTENER_MS = 30_000;

/** The line the gateway prints once it serves bookinfo-gateway's port 8080 (URL in group 1). */
export const GATEWAY_LISTENER_LINE = new RegExp(`listener \\S+_${GATEWAY_CONFIG_PORT} serving (https?://\\S+)`);

/** The running example. */
export interface RunningBookinfo {
  /** http://127.0.0.1:<port>/productpage through the gateway (undefined with --no-config until a Gateway is applied). */
  readonly productPageUrl: string | undefined;
  readonly apiUrl: string;
  readonly xdsAddress: string;
  readonly dataDir: string;
  readonly instances: readonly (InstanceSpec & { readonly url: string })[];
  /** Stops traffic, gateway, services, then the control plane; idempotent. */
  close(): Promise<void>;
}

/** Where runtime files live: .ts next to this file when run from source, .js when compiled. */
function sibling(file: string): string {
  return path.join(__dirname, `${file}${path.extname(__filename)}`);
}

/** The gateway's entry point inside @inboard/mesh-client (source or compiled, like this file). */
export function gatewayEntry(): string {
  const packageDir = path.dirname(require.resolve('@inboard/mesh-client/package.json'));
  const fromSource = path.extname(__filename) === '.ts';
  return fromSource ? path.join(packageDir, 'src', 'gateway', 'main.ts') : path.join(packageDir, 'dist', 'src', 'gateway', 'main.js');
}

/** Gateway flags placing Gateway port 8080 on `gatewayPort` (0: every listener on a free port). */
export function gatewayPortFlags(gatewayPort: number): string[] {
  if (gatewayPort === 0) return ['--any-port'];
  const offset = gatewayPort - GATEWAY_CONFIG_PORT;
  return offset === 0 ? [] : [`--port-offset=${offset}`];
}

/**
 * Starts everything; `out` receives every line to print. Rejects (after cleaning up) if any part
 * fails to start, or when `signal` aborts (Ctrl-C during start-up).
 */
export async function startBookinfo(options: StartOptions, out: (line: string) => void, signal?: AbortSignal): Promise<RunningBookinfo> {
  const instances = planInstances(options.basePort);
  await assertPortsFree([
    { port: options.apiPort, what: 'the admin API (--api-port)' },
    { port: options.xdsPort, what: 'the xDS server (--xds-port)' },
    { port: options.caPort, what: 'certificate signing (--ca-port)' },
    { port: options.gatewayPort, what: 'the ingress gateway (--gateway-port)' },
    ...instances.map((i) => ({ port: i.port, what: `${i.name} (--base-port ${options.basePort})` })),
  ]);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const log = (name: string) => (line: string) => out(`[${name}] ${line}`);
  const controlPlane: ControlPlane = await startControlPlane({
    dataDir: options.dataDir,
    apiPort: options.apiPort,
    xdsPort: options.xdsPort,
    caPort: options.caPort,
    logger: { info: log('control-plane'), warn: log('control-plane'), error: log('control-plane') },
  });
  const children = new ChildSet(out, (name, code, signal) => out(`[start] ${name} exited unexpectedly (${signal ?? `code ${code}`}); the rest keeps running`));
  let traffic: Traffic | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      children.beginStopping();
      if (traffic) out(`[traffic] ${(await traffic.stop()).trimEnd().split('\n').join('\n[traffic] ')}`);
      await children.stopAll(['gateway']);
      await controlPlane.close();
    })());
  const onAbort = () => void close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw new StartError('NOT_READY', 'interrupted during start-up');
    out(`[start] control plane: admin API ${controlPlane.apiAddress}, xDS ${controlPlane.xdsAddress}, certificate signing ${controlPlane.caAddress}, data dir ${controlPlane.dataDir}`);
    if (options.applyConfig) {
      const files = DEFAULT_CONFIG_FILES.map((f) => path.join(CONFIG_DIR, f));
      for (const line of await applyConfigFiles({ apiUrl: controlPlane.apiAddress, token: controlPlane.token }, files)) out(`[start] ${line}`);
    }
    // Every child reports its edge statistics to this control plane's admin API (the dashboard's graph).
    const meshEnv = { INBOARD_ADMIN_API: controlPlane.apiAddress };
    const identityEnv = options.mtls ? workloadCredentials(controlPlane) : () => ({});
    const started = instances.map((instance) => {
      const child = children.start(instance.name, sibling('mesh-service'), [
        '--control-plane', controlPlane.xdsAddress,
        '--workload-name', instance.name,
        '--service-account', instance.serviceAccount,
        '--service', instance.service,
        '--version', instance.version,
        '--port', String(instance.port),
        ...(instance.service === 'reviews' ? ['--podname', instance.name] : []),
        ...(options.quiet ? ['--quiet'] : []),
      ], { ...meshEnv, ...identityEnv('default', instance.serviceAccount) });
      return child.waitFor(/^listening on (http:\/\/\S+)/, SERVICE_READY_MS).then((m) => ({ ...instance, url: m[1]! }));
    });
    const running = await Promise.all(started);
    const gateway = children.start('gateway', gatewayEntry(), ['--control-plane', controlPlane.xdsAddress, ...gatewayPortFlags(options.gatewayPort)],
      { ...meshEnv, ...identityEnv('istio-system', 'istio-ingressgateway-service-account') });
    // With the default config the gateway soon serves bookinfo-gateway's port; wait for it to print the URL.
    const bookinfoListener = options.applyConfig ? gateway.waitFor(GATEWAY_LISTENER_LINE, GATEWAY_LISTENER_MS) : undefined;
    bookinfoListener?.catch(() => undefined);
    await gateway.waitFor(/gateway ready/, SERVICE_READY_MS);
    const productPageUrl = bookinfoListener ? `${(await bookinfoListener)[1]}/productpage` : undefined;
    if (options.traffic && productPageUrl) traffic = startTraffic(productPageUrl, options.trafficQps, (line) => out(`[traffic] ${line}`));
    if (signal?.aborted) throw new StartError('NOT_READY', 'interrupted during start-up');
    signal?.removeEventListener('abort', onAbort);
    return { productPageUrl, apiUrl: controlPlane.apiAddress, xdsAddress: controlPlane.xdsAddress, dataDir: controlPlane.dataDir, instances: running, close };
  } catch (error) {
    await close();
    throw error instanceof StartError ? error : new StartError('CHILD_FAILED', (error as Error).message);
  }
}

/**
 * Zero trust by default: each child gets a workload token bound to its own namespace and service
 * account (the CA issues its certificate from the token alone) and the mesh root to pin, so calls
 * between BookInfo's processes are mutual TLS. Tokens live as long as this run (24 h at most).
 */
function workloadCredentials(controlPlane: ControlPlane): (namespace: string, serviceAccount: string) => NodeJS.ProcessEnv {
  const rootFile = path.join(controlPlane.dataDir, 'mesh-root.pem');
  fs.writeFileSync(rootFile, controlPlane.ca.trustBundle().join(''), { mode: 0o644 });
  const tokens = new Map<string, string>();
  return (namespace, serviceAccount) => {
    const key = `${namespace}/${serviceAccount}`;
    let token = tokens.get(key);
    if (token === undefined) {
      token = controlPlane.tokens.issue({ scope: 'workload', namespace, serviceAccount, ttlMs: 24 * 3600_000, description: `npm start: ${key}` }).token;
      tokens.set(key, token);
    }
    return { INBOARD_TOKEN: token, INBOARD_CA_ROOT_FILE: rootFile, INBOARD_CA_ADDRESS: controlPlane.caAddress };
  };
}
