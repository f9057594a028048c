// Integration: the CLI's exit codes — 0 ok, 1 rejected input, 2 usage (with that command's usage),
// 3 control plane unreachable (naming the address and how to start one).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../../testing/spawn';
import { cliFor, removeDir, runCli, startControlPlaneProcess, tempDir, virtualServiceYaml, type ControlPlaneProcess } from './cli-harness';

describe('inboard CLI exit codes (real processes)', function () {
  this.timeout(60_000);
  let work: string;
  let plane: ControlPlaneProcess;
  let cli: ReturnType<typeof cliFor>;

  before(async () => {
    work = tempDir();
    plane = await startControlPlaneProcess(path.join(work, '.inboard'));
    cli = cliFor(plane);
  });
  after(async () => {
    await plane?.stop();
    removeDir(work);
  });

  it('2 for an unknown command, listing the commands', async () => {
    const run = await runCli(['frobnicate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown command "frobnicate"/);
    assert.match(run.stderr, /proxy-config/);
  });

  it('2 for an unknown flag, printing that command\'s usage; 0 and the usage for --help', async () => {
    const run = await cli(['get', 'vs', '--colour']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--colour/);
    assert.match(run.stderr, /Usage: inboard get KIND/);
    const help = await runCli(['apply', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: inboard apply -f/);
    const badOutput = await cli(['get', 'vs', '-o', 'xml']);
    assert.equal(badOutput.code, 2);
    assert.match(badOutput.stderr, /-o must be one of yaml, json, wide/);
  });

  it('1 for a missing resource, an unknown kind, and a write with a wrong token', async () => {
    const missing = await cli(['get', 'vs', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /"nope" not found/);
    const unknownKind = await cli(['get', 'deployments']);
    assert.equal(unknownKind.code, 1);
    assert.match(unknownKind.stderr, /resource type "deployments"/);
    fs.writeFileSync(path.join(work, 'vs.yaml'), virtualServiceYaml('reviews'));
    const unauthorized = await cli(['apply', '-f', 'vs.yaml', '--token', 'not-the-token']);
    assert.equal(unauthorized.code, 1);
    assert.match(unauthorized.stderr, /UNAUTHORIZED/);
    assert.match(unauthorized.stderr, /--token/);
    const noToken = await cli(['apply', '-f', 'vs.yaml', '--data-dir', 'elsewhere']);
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /no token found at .*elsewhere\/admin-token/);
  });

  it('3 when the control plane is unreachable, naming the address and how to start one', async () => {
    const port = await freePort();
    const run = await runCli(['get', 'vs', '--server', `http://127.0.0.1:${port}`]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, new RegExp(`cannot reach the Inboard control plane at http://127.0.0.1:${port}`));
    assert.match(run.stderr, /inboard control-plane/);
    const version = await runCli(['version'], { env: { INBOARD_SERVER: `http://127.0.0.1:${port}` } });
    assert.equal(version.code, 3);
    assert.match(version.stdout, /client version: \d+\.\d+\.\d+/);
  });

  it('0 for version against a running control plane', async () => {
    const run = await cli(['version']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /control plane version: \d+\.\d+\.\d+/);
  });
});
