// `inboard version [--client]`: the CLI's version and the control plane's.

import { packageVersion } from '../../api/package-version';
import type { VersionInfo } from '../../api/wire';
import { connect } from '../client';
import { CONNECTION_HELP, CONNECTION_OPTIONS, expectPositionals, parseCommand, type Command } from '../command';
import { EXIT_OK } from '../exit-codes';
import { println } from '../io';

const USAGE = `Usage: inboard version [--client]

Prints the version of this CLI and of the control plane it talks to.

Options:
  --client   only the CLI's version (no server needed)
${CONNECTION_HELP}

Exit codes: 0 ok, 2 usage, 3 control plane unreachable (the client version is printed first).`;

const OPTIONS = { ...CONNECTION_OPTIONS, client: { type: 'boolean' } } as const;

/** `inboard version`. */
export const versionCommand: Command = {
  name: 'version',
  summary: 'print the CLI and control plane versions',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
    expectPositionals(positionals, 0, 0, USAGE);
    println(io, `client version: ${packageVersion()}`);
    if (values.client) return EXIT_OK;
    const server = await connect(values, io, USAGE).get<VersionInfo>('/version');
    println(io, `control plane version: ${server.version} (node ${server.node})`);
    return EXIT_OK;
  },
};
