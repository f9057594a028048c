// The registry of drivers by name. Each driver module is required only when its name is asked for,
// so a missing optional package (the mesh-client) never breaks the other rows.
import type { Driver } from '../driver';

/** Every driver the load generator knows, raw clients first, then the mesh slot. */
export const DRIVER_NAMES = [
  'undici-pool',
  'undici-request',
  'undici-fetch',
  'node-fetch-global',
  'axios',
  'grpc',
  'mesh-fetch',
  'mesh-dispatcher',
  'mesh-axios',
  'mesh-grpc',
] as const;

/** A driver's registry name. */
export type DriverName = (typeof DRIVER_NAMES)[number];

const FACTORIES: Record<DriverName, () => Driver> = {
  'undici-pool': () => new (require('./undici-pool') as typeof import('./undici-pool')).UndiciPoolDriver(),
  'undici-request': () => new (require('./undici-request') as typeof import('./undici-request')).UndiciRequestDriver(),
  'undici-fetch': () => new (require('./undici-fetch') as typeof import('./undici-fetch')).UndiciFetchDriver(),
  'node-fetch-global': () => new (require('./global-fetch') as typeof import('./global-fetch')).GlobalFetchDriver(),
  axios: () => new (require('./axios') as typeof import('./axios')).AxiosDriver(),
  grpc: () => new (require('./grpc') as typeof import('./grpc')).GrpcDriver(),
  'mesh-fetch': () => new (require('./mesh') as typeof import('./mesh')).MeshFetchDriver(),
  'mesh-dispatcher': () => new (require('./mesh') as typeof import('./mesh')).MeshDispatcherDriver(),
  'mesh-axios': () => new (require('./mesh') as typeof import('./mesh')).MeshAxiosDriver(),
  'mesh-grpc': () => new (require('./mesh') as typeof import('./mesh')).MeshGrpcDriver(),
};

/** True when `name` is a registered driver. */
export function isDriverName(name: string): name is DriverName {
  return (DRIVER_NAMES as readonly string[]).includes(name);
}

/** Creates the named driver (loading its module now); throws on an unknown name, listing the known ones. */
export function createDriver(name: string): Driver {
  if (!isDriverName(name)) throw new Error(`unknown driver "${name}"; known drivers: ${DRIVER_NAMES.join(', ')}`);
  return FACTORIES[name]();
}
