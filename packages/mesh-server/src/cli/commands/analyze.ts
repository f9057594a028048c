// `inboard analyze [-n NS | -A]`: cross-resource checks in the spirit of `istioctl analyze`,
// printed Istio's way; exits 1 when any message is an Error.

import { ANALYZE_PATH, type AnalysisMessageWire, type AnalyzeResponse } from '../../api/wire';
import { connect } from '../client';
import { CONNECTION_HELP, CONNECTION_OPTIONS, expectOneOf, expectPositionals, parseCommand, type Command } from '../command';
import { EXIT_OK, EXIT_REJECTED, usageError } from '../exit-codes';
import { println } from '../io';
import { renderDocument } from '../render';

const USAGE = `Usage: inboard analyze [-n NAMESPACE | -A] [-o json|yaml]

Checks the stored config as a whole: routes to subsets no DestinationRule defines, VirtualServices
bound to missing Gateways, two VirtualServices for one host, subsets that select no workload, …

Options:
  -n, --namespace NS      report on one namespace (default "default")
  -A, --all-namespaces    report on every namespace
  -o, --output FORMAT     json or yaml instead of text
${CONNECTION_HELP}

Exit codes: 0 no Error messages (Warnings and Info allowed), 1 at least one Error, 2 usage, 3 unreachable.`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  output: { type: 'string', short: 'o' },
} as const;

/** `Error [IST0101] (VirtualService default/reviews spec.http[0]) message`, as istioctl prints it. */
export function formatAnalysisMessage(m: AnalysisMessageWire): string {
  return `${m.level} [${m.code}] (${m.resource}${m.path ? ` ${m.path}` : ''}) ${m.message}`;
}

/** `inboard analyze`. */
export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'check the config as a whole (istioctl analyze)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    expectPositionals(positionals, 0, 0, USAGE);
    const format = expectOneOf('-o', values.output, ['json', 'yaml'] as const, USAGE);
    const all = values['all-namespaces'] === true;
    if (all && values.namespace !== undefined) throw usageError('-n and -A cannot be used together', USAGE);
    const namespace = all ? undefined : (values.namespace ?? 'default');
    const client = connect(values, io, USAGE);
    const response = await client.get<AnalyzeResponse>(ANALYZE_PATH + (namespace !== undefined ? `?namespace=${encodeURIComponent(namespace)}` : ''));
    const hasError = response.messages.some((m) => m.level === 'Error');
    if (format) {
      io.stdout.write(renderDocument(response.messages, format));
    } else if (response.messages.length === 0) {
      println(io, `✔ No validation issues found when analyzing ${namespace === undefined ? 'all namespaces' : `namespace: ${namespace}`}.`);
    } else {
      for (const message of response.messages) println(io, formatAnalysisMessage(message));
    }
    return hasError ? EXIT_REJECTED : EXIT_OK;
  },
};
