// The mesh identity flags of one service process (`mesh-service.ts`), split from the service's own
// flags (which services/cli-args.ts parses): where the control plane is and who the workload is.
import { StartError } from './errors';

/** Who a service process is on the mesh, and where it finds the control plane. */
export interface MeshIdentityFlags {
  /** xDS address host:port (default $INBOARD_CONTROL_PLANE, else 127.0.0.1:15010). */
  readonly controlPlane: string;
  readonly namespace: string;
  /** Service account; default bookinfo-<service>. */
  readonly serviceAccount?: string;
  /** Instance name shown by `inboard proxy-status` and `get workloads`. */
  readonly workloadName?: string;
}

/** Usage lines of the mesh flags (printed before the service's own usage). */
export const MESH_FLAGS_USAGE = `mesh flags (before or among the service flags):
  --control-plane HOST:PORT   xDS address of the control plane (default $INBOARD_CONTROL_PLANE or 127.0.0.1:15010)
  --namespace NS              mesh namespace (default "default")
  --service-account SA        identity spiffe://cluster.local/ns/NS/sa/SA (default bookinfo-<service>)
  --workload-name NAME        instance name in proxy-status (default <service>-<version>-<pid>)
`;

const FLAGS = { '--control-plane': 'controlPlane', '--namespace': 'namespace', '--service-account': 'serviceAccount', '--workload-name': 'workloadName' } as const;

/** Takes the mesh flags out of `argv`; everything else is returned for the service's parser. */
export function splitMeshFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): { mesh: MeshIdentityFlags; serviceArgv: string[] } {
  const found: Partial<Record<(typeof FLAGS)[keyof typeof FLAGS], string>> = {};
  const serviceArgv: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const key = (FLAGS as Record<string, (typeof FLAGS)[keyof typeof FLAGS]>)[flag];
    if (key === undefined) {
      serviceArgv.push(arg);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new StartError('BAD_FLAG', `${flag} needs a value`);
    if (found[key] !== undefined) throw new StartError('BAD_FLAG', `${flag} is given twice`);
    found[key] = value;
  }
  const controlPlane = found.controlPlane ?? env['INBOARD_CONTROL_PLANE'] ?? '127.0.0.1:15010';
  if (!/^[^\s:]+:\d{1,5}$/.test(controlPlane) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(controlPlane)) {
    throw new StartError('BAD_FLAG', `--control-plane must be HOST:PORT (e.g. 127.0.0.1:15010), got "${controlPlane}"`);
  }
  return {
    mesh: {
      controlPlane,
      namespace: found.namespace ?? 'default',
      ...(found.serviceAccount !== undefined ? { serviceAccount: found.serviceAccount } : {}),
      ...(found.workloadName !== undefined ? { workloadName: found.workloadName } : {}),
    },
    serviceArgv,
  };
}
