// The control plane process, composed: embedded config store, config cache, workload registry and
// admin API (and, added by the xDS work, the xDS server). `inboard control-plane` runs this.

import path from 'node:path';
import { ensureAdminToken } from './api/admin-token';
import { openCertificateAuthority, type CertificateAuthority } from './ca/authority';
import { DEFAULT_SIGNING_PORT, SIGNING_SERVICE_PATHS, addSigningServices, signingServerCredentials } from './ca/signing-service';
import { openTokenStore, type TokenStore } from './tokens/token-store';
import { DEFAULT_API_HOST, DEFAULT_API_PORT, isLoopbackHost, startApiServer, type ApiServer, type Logger } from './api/server';
import { MeshServerError } from './errors';
import { WorkloadRegistry } from './registry/registry';
import { ConfigCache } from './store/config-cache';
import type { ConfigStore } from './store/config-store';
import { openEmbeddedStore } from './store/sqlite-store';
import type { XdsStatusProvider } from './xds/contracts';
import { XdsServer } from './xds/server';
import { createControlPlaneMetrics } from './metrics';
import { translate } from './xds/translate';

/** Where the control plane's log lines go. */
export type { Logger } from './api/server';

/** Default xDS port (istiod's plaintext xDS port). */
export const DEFAULT_XDS_PORT = 15010;

/** Options of startControlPlane. Ports may be 0 (pick a free one; the bound ports are reported). */
export interface ControlPlaneOptions {
  /** Data directory: the embedded store and the admin token live here. */
  readonly dataDir: string;
  readonly apiHost?: string;
  readonly apiPort?: number;
  /** Allow binding the admin API to a non-loopback address (every request then needs the token). */
  readonly allowRemoteApi?: boolean;
  readonly xdsHost?: string;
  readonly xdsPort?: number;
  /** Trust domain of workload identities (default cluster.local). */
  readonly trustDomain?: string;
  /** Operator-supplied CA certificate and key (root or intermediate); default: a root created in the data dir. */
  readonly caCertFile?: string;
  readonly caKeyFile?: string;
  /** Certificate signing over TLS (istiod's 15012); 0 picks a free port. */
  readonly caPort?: number;
  readonly caHost?: string;
  readonly logger?: Logger;
  /** Interval of BOOKMARK events on admin API watch streams. */
  readonly watchHeartbeatMs?: number;
}

/** A running control plane. */
export interface ControlPlane {
  /** Admin API base URL, e.g. http://127.0.0.1:15014. */
  readonly apiAddress: string;
  /** xDS address host:port (plaintext ADS, as istiod's 15010). */
  readonly xdsAddress: string;
  /** The admin bearer token (also in <dataDir>/admin-token). */
  readonly token: string;
  readonly dataDir: string;
  readonly store: ConfigStore;
  readonly cache: ConfigCache;
  readonly registry: WorkloadRegistry;
  readonly ca: CertificateAuthority;
  readonly tokens: TokenStore;
  /** host:port of certificate signing (IstioCertificateService over TLS). */
  readonly caAddress: string;
  /** Stops everything in reverse start order; idempotent. */
  close(): Promise<void>;
}

const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Starts the control plane; resolves once the store is loaded and every listener is bound. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const logger = options.logger ?? silentLogger;
  const dataDir = path.resolve(options.dataDir);
  const apiHost = options.apiHost ?? DEFAULT_API_HOST;
  if (!isLoopbackHost(apiHost) && options.allowRemoteApi !== true) {
    // Checked before anything is opened, so a refused start leaves no data dir behind.
    throw new MeshServerError('FORBIDDEN', `refusing to bind the admin API to ${apiHost}, which is not a loopback address; pass --allow-remote-api to expose it (every request then needs the bearer token)`, { host: apiHost });
  }
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        logger.warn(`while closing: ${(error as Error).message}`);
      }
    }
  };
  try {
    const store = openEmbeddedStore(dataDir);
    closers.push(() => store.close());
    const token = ensureAdminToken(dataDir);
    const tokens = openTokenStore({ dataDir });
    const ca = await openCertificateAuthority({
      dataDir,
      ...(options.trustDomain !== undefined ? { trustDomain: options.trustDomain } : {}),
      ...(options.caCertFile !== undefined ? { caCertFile: options.caCertFile } : {}),
      ...(options.caKeyFile !== undefined ? { caKeyFile: options.caKeyFile } : {}),
    });
    const cache = new ConfigCache(store, { onError: (error) => logger.warn(error.message) });
    closers.push(() => cache.close());
    const registry = new WorkloadRegistry();
    closers.push(() => registry.close());
    // Config changes reach the registry (Service, ServiceEntry, WorkloadEntry) and, through its
    // onChange or directly, the xDS server.
    cache.onChange(() => {
      registry.setConfig(cache.snapshot().resources);
      xdsRef?.inputChanged();
    });
    let xdsRef: XdsServer | undefined;

    let ready = false;
    // The xDS server reads the cache and registry snapshots through `input` and is told when either
    // changes; it debounces, re-translates per client view and pushes only what changed.
    // Metrics read the xDS server's client list lazily (through xdsRef), so they can exist before it does.
    const metrics = createControlPlaneMetrics({ xds: { clients: () => xdsRef?.clients() ?? [] }, registry, cache });
    closers.push(() => metrics.close());
    const xds = new XdsServer({
      metrics,
      translate,
      input: () => ({ config: cache.snapshot().resources, registry: registry.snapshot() }),
      registry,
      log: logger,
    });
    closers.push(() => xds.close());
    xdsRef = xds;
    registry.onChange(() => xds.inputChanged());
    const xdsHost = options.xdsHost ?? DEFAULT_API_HOST;
    const xdsPort = await xds.listen(options.xdsPort ?? DEFAULT_XDS_PORT, xdsHost);
    // istiod's 15012: certificate signing and xDS together over TLS (the server certificate chains to
    // the mesh root, which clients pin); 15010 stays plaintext for grpc-js-xds, on loopback by default.
    xds.addTlsOnlyServices(SIGNING_SERVICE_PATHS, (server) => addSigningServices(server, { ca, tokens, logger }));
    const caHost = options.caHost ?? DEFAULT_API_HOST;
    const caPort = await xds.listenTls(options.caPort ?? DEFAULT_SIGNING_PORT, caHost, await signingServerCredentials(ca));
    const signing = { address: `${caHost.includes(':') ? `[${caHost}]` : caHost}:${caPort}` };
    const xdsStatus: XdsStatusProvider = xds;
    const xdsAddress = `${xdsHost.includes(':') ? `[${xdsHost}]` : xdsHost}:${xdsPort}`;

    const api: ApiServer = await startApiServer({
      store,
      config: cache,
      registry,
      xdsStatus,
      metrics,
      token,
      tokens,
      host: apiHost,
      port: options.apiPort ?? DEFAULT_API_PORT,
      allowNonLoopback: options.allowRemoteApi === true,
      isReady: () => ready,
      logger,
      ...(options.watchHeartbeatMs !== undefined ? { heartbeatMs: options.watchHeartbeatMs } : {}),
    });
    closers.push(() => api.close());

    await cache.ready;
    registry.setConfig(cache.snapshot().resources);
    registry.start();
    ready = true;

    let closing: Promise<void> | undefined;
    return {
      apiAddress: api.url,
      xdsAddress,
      token,
      dataDir,
      store,
      cache,
      registry,
      ca,
      tokens,
      caAddress: signing.address,
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
