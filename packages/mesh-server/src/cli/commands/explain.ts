// `inboard explain --from SERVICE URL`: how the mesh routes URL for a caller that is SERVICE. Runs a
// short-lived mesh client with that identity against the control plane's xDS port, waits for its
// config, prints mesh.explain() as JSON (or YAML), and closes it.

import { expectOneOf, expectPositionals, HELP_OPTION, parseCommand, type Command } from '../command';
import { CliError, EXIT_OK, EXIT_UNREACHABLE, usageError } from '../exit-codes';
import { println } from '../io';
import { renderDocument } from '../render';

const USAGE = `Usage: inboard explain --from SERVICE [--namespace NS] [--label KEY=VALUE]...
                       [-X METHOD] [-H 'NAME: VALUE']... [--control-plane HOST:PORT] [-o json|yaml] URL

Explains the routing decision the mesh makes for URL when SERVICE calls it: the listener, virtual
host, route (index, name, and the VirtualService it came from), why it matched, the weighted pick,
cluster and subset, candidate endpoints with health, ejection and load, the effective timeout and
retry policy, faults, mirrors, and every piece of config the client cannot honour on that path.

It connects its own short-lived mesh client with the caller's identity (routes may depend on
sourceLabels and namespace), waits for the first config, explains, and disconnects.

Options:
  --from SERVICE           the calling service (its app label)
  --namespace NS           the caller's namespace (default default)
  --label KEY=VALUE        a workload label of the caller, e.g. version=v2 (repeatable)
  -X, --method METHOD      request method (default GET)
  -H, --header 'N: V'      a request header, e.g. 'end-user: jason' (repeatable)
  --control-plane ADDR     xDS address host:port (default $INBOARD_CONTROL_PLANE or 127.0.0.1:15010)
  --wait MS                how long to wait for the config (default 10000)
  -o, --output FORMAT      json (default) or yaml
  -h, --help               show this help

Exit codes: 0 ok, 2 usage, 3 control plane unreachable (no config within --wait).`;

const OPTIONS = {
  ...HELP_OPTION,
  from: { type: 'string' },
  namespace: { type: 'string' },
  label: { type: 'string', multiple: true },
  method: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  'control-plane': { type: 'string' },
  wait: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

type MeshClientModule = typeof import('@inboard/mesh-client');

/** `inboard explain`. */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'explain how the mesh routes a request from a service',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    expectPositionals(positionals, 1, 1, USAGE);
    const url = positionals[0]!;
    if (!/^https?:\/\/[^/]/i.test(url)) throw usageError(`URL must be an absolute http(s) URL such as http://reviews:9080/reviews/0; got "${url}"`, USAGE);
    if (values.from === undefined || values.from === '') throw usageError('--from SERVICE is required', USAGE);
    const output = expectOneOf('--output', values.output, ['json', 'yaml'] as const, USAGE) ?? 'json';
    const labels: Record<string, string> = {};
    for (const label of values.label ?? []) {
      const eq = label.indexOf('=');
      if (eq <= 0) throw usageError(`--label must be KEY=VALUE; got "${label}"`, USAGE);
      labels[label.slice(0, eq)] = label.slice(eq + 1);
    }
    const headers: Record<string, string[]> = {};
    for (const header of values.header ?? []) {
      const colon = header.indexOf(':');
      if (colon <= 0) throw usageError(`-H must be 'NAME: VALUE'; got "${header}"`, USAGE);
      (headers[header.slice(0, colon).trim().toLowerCase()] ??= []).push(header.slice(colon + 1).trim());
    }
    const waitMs = values.wait === undefined ? 10_000 : Number(values.wait);
    if (!Number.isInteger(waitMs) || waitMs <= 0) throw usageError(`--wait must be a positive number of milliseconds; got "${values.wait}"`, USAGE);

    // Loaded here, not at the top: every other command runs without the mesh client.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { connect, isMeshError } = require('@inboard/mesh-client') as MeshClientModule;
    let mesh;
    try {
      mesh = connect({
        service: values.from,
        ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
        labels,
        ...(values['control-plane'] !== undefined ? { controlPlane: values['control-plane'] } : {}),
        env: io.env,
      });
    } catch (error) {
      if (isMeshError(error, 'INVALID_OPTIONS')) throw usageError(error.message, USAGE);
      throw error;
    }
    try {
      const timedOut = Symbol('timeout');
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([mesh.ready, new Promise<symbol>((resolve) => { timer = setTimeout(() => resolve(timedOut), waitMs); })]);
      clearTimeout(timer);
      if (outcome === timedOut) {
        throw new CliError(EXIT_UNREACHABLE, `error: no config from the control plane at ${mesh.options.controlPlane} within ${waitMs} ms (is \`inboard control-plane\` running, and is this its xDS port?)`);
      }
      const explanation = mesh.explain({ url, ...(values.method !== undefined ? { method: values.method } : {}), headers });
      println(io, output === 'yaml' ? renderDocument(explanation, 'yaml').trimEnd() : JSON.stringify(explanation, null, 2));
      return EXIT_OK;
    } finally {
      await mesh.close();
    }
  },
};
