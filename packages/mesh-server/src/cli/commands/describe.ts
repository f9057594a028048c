// `inboard describe KIND NAME [-n NS]`: one resource for humans — metadata, spec as YAML, and
// what `inboard analyze` says about it.

import YAML from 'yaml';
import { resourcePath } from '../../api/resource-paths';
import { ANALYZE_PATH, type AnalysisMessageWire, type AnalyzeResponse } from '../../api/wire';
import type { Resource } from '../../config/resource';
import { connect, ServerRejection, type AdminClient } from '../client';
import { CONNECTION_HELP, CONNECTION_OPTIONS, expectPositionals, parseCommand, type Command } from '../command';
import { EXIT_OK, usageError } from '../exit-codes';
import { resolveKindArg } from '../kind-names';
import { formatAge, formatLabels } from '../table';
import { formatAnalysisMessage } from './analyze';

const USAGE = `Usage: inboard describe KIND NAME [-n NAMESPACE]

Shows one resource: its metadata, its spec as YAML, and the analysis messages about it.

Options:
  -n, --namespace NS   namespace (default "default")
${CONNECTION_HELP}

Exit codes: 0 ok, 1 not found or unknown kind, 2 usage, 3 unreachable.`;

const OPTIONS = { ...CONNECTION_OPTIONS, namespace: { type: 'string', short: 'n' } } as const;

/** `inboard describe`. */
export const describeCommand: Command = {
  name: 'describe',
  summary: 'show one resource in detail, with its analysis',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    expectPositionals(positionals, 2, 2, USAGE);
    const target = resolveKindArg(positionals[0]!, false);
    if (target.type !== 'kind') throw usageError('describe takes a config kind', USAGE);
    const namespace = values.namespace ?? 'default';
    const client = connect(values, io, USAGE);
    const resource = await client.get<Resource>(resourcePath(target.info, namespace, positionals[1]!));
    io.stdout.write(describeResource(resource, await analysisFor(client, resource), io.now()));
    return EXIT_OK;
  },
};

async function analysisFor(client: AdminClient, resource: Resource): Promise<readonly AnalysisMessageWire[] | string> {
  try {
    const { messages } = await client.get<AnalyzeResponse>(`${ANALYZE_PATH}?namespace=${encodeURIComponent(resource.metadata.namespace)}`);
    return messages.filter((m) => refersTo(m.resource, resource));
  } catch (error) {
    if (error instanceof ServerRejection) return `unavailable (${error.body.message})`;
    throw error;
  }
}

/** True if an analysis message's resource reference ("Kind ns/name" or "Kind/ns/name") names `resource`. */
export function refersTo(reference: string, resource: Resource): boolean {
  const normalised = reference.trim().replace(/\s+/, '/');
  return normalised === `${resource.kind}/${resource.metadata.namespace}/${resource.metadata.name}`;
}

/** The describe text of a resource. */
export function describeResource(resource: Resource, analysis: readonly AnalysisMessageWire[] | string, now: Date): string {
  const m = resource.metadata;
  const field = (label: string, value: string) => `${(label + ':').padEnd(18)}${value}\n`;
  const mapLines = (map: Readonly<Record<string, string>> | undefined) => (map && Object.keys(map).length > 0 ? formatLabels(map).split(',').join('\n' + ' '.repeat(18)) : '<none>');
  const spec = YAML.stringify(resource.spec ?? {}, { lineWidth: 0, indentSeq: false }).trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
  const findings =
    typeof analysis === 'string' ? `  ${analysis}` : analysis.length === 0 ? '  <none>' : analysis.map((a) => `  ${formatAnalysisMessage(a)}`).join('\n');
  return (
    field('Name', m.name) +
    field('Namespace', m.namespace) +
    field('Labels', mapLines(m.labels)) +
    field('Annotations', mapLines(m.annotations)) +
    field('API Version', resource.apiVersion) +
    field('Kind', resource.kind) +
    field('Resource Version', m.resourceVersion ?? '<none>') +
    field('Generation', String(m.generation ?? '<none>')) +
    field('Created', m.creationTimestamp ? `${m.creationTimestamp} (${formatAge(m.creationTimestamp, now)} ago)` : '<unknown>') +
    `Spec:\n${spec}\n` +
    `Analysis:\n${findings}\n`
  );
}
