// `inboard get KIND [NAME] [-n NS] [-A] [-o yaml|json|wide]`: lists or shows config resources,
// registry workloads (`get workloads`) or every kind at once (`get all`).

import { KINDS, type KindInfo, type Resource } from '../../config/resource';
import { resourcePath } from '../../api/resource-paths';
import { WORKLOADS_PATH, type ResourceList, type WorkloadList } from '../../api/wire';
import { connect, type AdminClient } from '../client';
import { CONNECTION_HELP, CONNECTION_OPTIONS, expectOneOf, expectPositionals, parseCommand, type Command } from '../command';
import { CliError, EXIT_OK, EXIT_REJECTED, usageError } from '../exit-codes';
import { eprintln, type CliIo } from '../io';
import { resolveKindArg } from '../kind-names';
import { asList, renderDocument, resourceTable, workloadTable, type OutputFormat } from '../render';

const USAGE = `Usage: inboard get KIND [NAME] [-n NAMESPACE | -A] [-o yaml|json|wide]

KIND is any kind name, plural or short name (virtualservices, vs, destinationrule, dr, gw, se,
we, pa, ap, ra, svc, …), or "workloads" (the registry's endpoints) or "all".

Options:
  -n, --namespace NS      namespace (default "default")
  -A, --all-namespaces    every namespace (adds a NAMESPACE column)
  -o, --output FORMAT     yaml, json or wide (default: a table)
${CONNECTION_HELP}

Exit codes: 0 ok (also when the list is empty), 1 not found or unknown kind, 2 usage, 3 unreachable.`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  output: { type: 'string', short: 'o' },
} as const;

/** `inboard get`. */
export const getCommand: Command = {
  name: 'get',
  summary: 'list or show resources, workloads, or all',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    expectPositionals(positionals, 1, 2, USAGE);
    const format: OutputFormat = expectOneOf('-o', values.output, ['yaml', 'json', 'wide'] as const, USAGE) ?? 'table';
    const allNamespaces = values['all-namespaces'] === true;
    if (allNamespaces && values.namespace !== undefined) throw usageError('-n and -A cannot be used together', USAGE);
    const name = positionals[1];
    if (allNamespaces && name !== undefined) throw usageError('a resource cannot be retrieved by name across all namespaces', USAGE);
    const namespace = allNamespaces ? undefined : (values.namespace ?? 'default');
    const target = resolveKindArg(positionals[0]!, true);
    const client = connect(values, io, USAGE);
    const view: View = { client, io, format, namespace };
    if (target.type === 'workloads') return getWorkloads(view, name);
    if (target.type === 'all') {
      if (name !== undefined) throw usageError('"get all" takes no NAME', USAGE);
      return getAll(view);
    }
    return name !== undefined ? getOne(view, target.info, name) : getMany(view, target.info);
  },
};

interface View {
  readonly client: AdminClient;
  readonly io: CliIo;
  readonly format: OutputFormat;
  /** undefined = all namespaces. */
  readonly namespace: string | undefined;
}

async function getOne(view: View, info: KindInfo, name: string): Promise<number> {
  const resource = await view.client.get<Resource>(resourcePath(info, view.namespace, name));
  if (view.format === 'yaml' || view.format === 'json') view.io.stdout.write(renderDocument(resource, view.format));
  else view.io.stdout.write(resourceTable(info, [resource], tableOptions(view, false)));
  return EXIT_OK;
}

async function getMany(view: View, info: KindInfo): Promise<number> {
  const list = await view.client.get<ResourceList>(resourcePath(info, view.namespace));
  if (view.format === 'yaml' || view.format === 'json') view.io.stdout.write(renderDocument(asList(list.items), view.format));
  else if (list.items.length === 0) noResources(view);
  else view.io.stdout.write(resourceTable(info, list.items, tableOptions(view, false)));
  return EXIT_OK;
}

async function getAll(view: View): Promise<number> {
  const lists = await Promise.all(KINDS.map(async (info) => ({ info, items: (await view.client.get<ResourceList>(resourcePath(info, view.namespace))).items })));
  const nonEmpty = lists.filter((l) => l.items.length > 0);
  if (view.format === 'yaml' || view.format === 'json') {
    view.io.stdout.write(renderDocument(asList(nonEmpty.flatMap((l) => l.items)), view.format));
  } else if (nonEmpty.length === 0) noResources(view);
  else view.io.stdout.write(nonEmpty.map((l) => resourceTable(l.info, l.items, tableOptions(view, true))).join('\n'));
  return EXIT_OK;
}

async function getWorkloads(view: View, name: string | undefined): Promise<number> {
  const query = view.namespace !== undefined ? `?namespace=${encodeURIComponent(view.namespace)}` : '';
  const list = await view.client.get<WorkloadList>(WORKLOADS_PATH + query);
  const items = name === undefined ? list.items : list.items.filter((w) => workloadNamed(w.id, name));
  if (name !== undefined && items.length === 0) {
    throw new CliError(EXIT_REJECTED, `error: no workload named "${name}" in namespace "${view.namespace}" (\`inboard get workloads\` lists them)`);
  }
  if (view.format === 'yaml' || view.format === 'json') {
    view.io.stdout.write(renderDocument(items.length === 1 && name !== undefined ? items[0] : asList(items), view.format));
  } else if (items.length === 0) noResources(view);
  else view.io.stdout.write(workloadTable(items, { wide: view.format === 'wide', allNamespaces: view.namespace === undefined }));
  return EXIT_OK;
}

/**
 * True if a workload id answers to `name`: the id itself ("reviews-v1-1", a client's node id), or
 * the resource name inside a static source's id ("WorkloadEntry/default/reviews-vm", "ServiceEntry/default/ext#host").
 */
export function workloadNamed(id: string, name: string): boolean {
  if (id === name) return true;
  const withoutHost = id.split('#')[0]!;
  return withoutHost.endsWith(`/${name}`);
}

function tableOptions(view: View, qualified: boolean) {
  return { wide: view.format === 'wide', allNamespaces: view.namespace === undefined, qualified, now: view.io.now() };
}

function noResources(view: View): void {
  eprintln(view.io, view.namespace === undefined ? 'No resources found' : `No resources found in ${view.namespace} namespace.`);
}
