// SEC-06: the path, host and header normalisation bypass corpus. Behind a DENY on `/admin*` (and an
// ALLOW-only `/public*`), no request may be allowed that the application would route to /admin
// (or outside /public) — judged on the URL the application actually receives. A dotdotpwn-style
// generator (> 5 000 variants) runs in process; the fixed corpus also goes as raw HTTP/1.1 bytes to
// a real Node server on loopback whose handler is the inbound hook (authorize, then req.url = url).

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { authorize, headerProblem, localReplyFor, normalizePath, type AuthzRequest, type CompiledRbac, type PathNormalization } from '../src/authz';
import { compiledPolicies } from './authz-pipeline';

const DENY_ADMIN = compiledPolicies([{ name: 'deny-admin', spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }] } }]);
const ALLOW_PUBLIC = compiledPolicies([{ name: 'public-only', spec: { rules: [{ to: [{ operation: { paths: ['/public', '/public/*'] } }] }] } }]);

const request = (target: string, over: Partial<AuthzRequest> = {}): AuthzRequest => ({
  method: 'GET', path: target, headers: {}, host: 'reviews', port: 9080, destinationIp: '10.0.0.4', sourceIp: '10.0.0.2', peer: {}, ...over,
});

/** The pathname an app that routes on the target exactly as received sees (case-sensitive, no decoding). */
const literalPathname = (url: string) => url.split('?')[0]!;
/** The pathname an app that percent-decodes, resolves dot segments and merges slashes sees; undefined = it answers 400. */
function decodingPathname(url: string): string | undefined {
  try {
    return path.posix.normalize(decodeURIComponent(literalPathname(url)).replace(/\\/g, '/')).replace(/\/{2,}/g, '/');
  } catch {
    return undefined;
  }
}
const routesTo = (pathname: string | undefined, route: string) => pathname !== undefined && (pathname === route || pathname.startsWith(`${route}/`) || pathname.startsWith(`${route};`));

/** dotdotpwn-style variants: prefix × traversal^n × target × suffix. */
function generatedTargets(): string[] {
  const prefixes = ['', '/public', '/public/x', '/x/y/z'];
  const traversals = ['/..', '/%2e%2e', '/%2E%2E', '/.%2e', '/%2e.', '/..%2f', '/..%5c', '/..\\', '/..;', '/.', '/%2e', '//', '/%2f', '/%5c', '\\..', '/%252e%252e', '/%c0%ae%c0%ae', '/%u002e%u002e'];
  const targets = ['/admin', '/%61dmin', '/adm%69n', '/ADMIN', '/Admin', '//admin', '/%2fadmin', '/%5cadmin', '\\admin', '/admin%2f', '/./admin', '/admin/.'];
  const suffixes = ['', '/', '/secret', '?x=1', '#frag', ';jsessionid=x', '%00', '%2f..', '/..', '?/../public', '#/../public'];
  const out: string[] = [];
  for (const p of prefixes) for (const t of traversals) for (let n = 1; n <= 3; n++) for (const a of targets) for (const s of suffixes) out.push(`${p}${t.repeat(n)}${a}${s}`);
  return out;
}

/** The fixed corpus of §2.1 and §6 (CVE replays and the Node-specific cases). */
const FIXED = [
  '/admin', '/admin/', '/admin/x', '/admin?x=1', '/admin#x', '/admin;x', '/admin;jsessionid=x', '/admin%2fsecret', '/admin%5csecret',
  '/public/../admin', '/public/./../admin', '/public/%2e%2e/admin', '/public/%2E%2E/admin', '/public/%2E/%2E%2E/admin', '/public/..%2fadmin',
  '/public/..%2Fadmin', '/public/..\\admin', '/public\\..\\admin', '//admin', '//admin/secret', '/%2Fadmin', '/%2fadmin', '/%5Cadmin', '/ADMIN',
  '/Admin', '/%61dmin', '/%41dmin', '/adm%69n', '/..;/admin', '/public/..;/admin', '/%252e%252e/admin', '/%c0%ae%c0%ae/admin', '/public#/../admin',
  '/public?/../admin', '/admin%00', '/public/%00/../admin', '/admin%20', '/admin./', '/admin..', '/./admin', '/admin/.', '/public/%2e%2e%2fadmin',
  'http://other.svc/admin', '*', 'admin', '/admin%2', '/%%32%65%%32%65/admin',
];

/** Runs one target through authorize; returns a bypass description, or undefined. */
function bypass(filters: readonly CompiledRbac[], target: string, mode: PathNormalization, app: 'literal' | 'decoding', route: 'deny-admin' | 'allow-public'): string | undefined {
  const decision = authorize(filters, request(target), { pathNormalization: mode });
  if (!decision.allowed) return undefined;
  assert.equal(literalPathname(decision.url), decision.path, 'authorization matched the path the app receives');
  const seen = app === 'literal' ? literalPathname(decision.url) : decodingPathname(decision.url);
  if (seen === undefined) return undefined; // the app answers 400
  const leaked = route === 'deny-admin' ? routesTo(seen, '/admin') : !routesTo(seen, '/public');
  return leaked ? `${JSON.stringify(target)} → app gets ${JSON.stringify(decision.url)} (routes as ${JSON.stringify(seen)})` : undefined;
}

describe('SEC-06 normalisation bypass corpus: zero bypasses on what the application receives', function () {
  this.timeout(60_000);
  const generated = generatedTargets();

  it(`generates a dotdotpwn-style corpus of ${generated.length} variants`, () => assert.ok(generated.length >= 5000));

  for (const [route, filters] of [['deny-admin', DENY_ADMIN], ['allow-public', ALLOW_PUBLIC]] as const) {
    it(`${route}: BASE (Istio's default) and an app routing on the path as received — 0 bypasses`, () => {
      const found = [...FIXED, ...generated].map((t) => bypass(filters, t, 'BASE', 'literal', route)).filter(Boolean);
      assert.deepEqual(found.slice(0, 5), []);
    });
    it(`${route}: DECODE_AND_MERGE_SLASHES and an app that decodes, resolves dot segments and merges slashes — 0 bypasses`, () => {
      const found = [...FIXED, ...generated].map((t) => bypass(filters, t, 'DECODE_AND_MERGE_SLASHES', 'decoding', route)).filter(Boolean);
      assert.deepEqual(found.slice(0, 5), []);
    });
  }

  it('why the mode matters: under BASE an app that decodes %2F itself can be reached (CVE-2021-31920) — use DECODE_AND_MERGE_SLASHES', () => {
    assert.ok(bypass(DENY_ADMIN, '/public/..%2fadmin', 'BASE', 'decoding', 'deny-admin'));
    assert.equal(bypass(DENY_ADMIN, '/public/..%2fadmin', 'DECODE_AND_MERGE_SLASHES', 'decoding', 'deny-admin'), undefined);
  });

  it('every target is normalised to a fixed point: the URL the app gets normalises to itself', () => {
    for (const target of [...FIXED, ...generated]) {
      for (const mode of ['BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES'] as const) {
        const once = normalizePath(target, mode);
        if (!once.ok) continue;
        const twice = normalizePath(once.url, mode);
        assert.ok(twice.ok && twice.url === once.url, `${mode} ${target} → ${once.url} → ${twice.ok ? twice.url : twice.reason}`);
      }
    }
  });

  it('hosts: case, a trailing dot and a port cannot dodge a DENY on a host written with its port wildcard', () => {
    const denyHost = compiledPolicies([{ name: 'deny-host', spec: { action: 'DENY', rules: [{ to: [{ operation: { hosts: ['admin.example', 'admin.example:*'] } }] }] } }]);
    for (const host of ['admin.example', 'ADMIN.EXAMPLE', 'Admin.Example.', 'admin.example:80', 'admin.example.:9080']) {
      assert.equal(authorize(denyHost, request('/', { host })).allowed, false, host);
    }
    assert.equal(authorize(denyHost, request('/', { host: 'public.example' })).allowed, true);
  });

  describe('the fixed corpus as raw HTTP/1.1 against a real server whose handler is the inbound hook', () => {
    let server: http.Server;
    let port: number;
    const received: string[] = [];

    before(async () => {
      server = http.createServer((req, res) => {
        const distinct = req.headersDistinct;
        const problem = headerProblem(distinct);
        if (problem) {
          res.writeHead(400).end();
          return;
        }
        const decision = authorize(DENY_ADMIN, {
          method: req.method!, path: req.url!, headers: distinct, host: req.headers.host ?? '', port,
          destinationIp: req.socket.localAddress!, sourceIp: req.socket.remoteAddress!, peer: {},
        });
        if (!decision.allowed) {
          const reply = localReplyFor(decision);
          res.writeHead(reply.status, reply.headers).end(reply.body);
          return;
        }
        req.url = decision.url;
        // The application: routes on req.url exactly as it receives it.
        received.push(req.url);
        res.end(routesTo(literalPathname(req.url), '/admin') ? 'secret_data_leaked' : 'ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as net.AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    function raw(lines: string[]): Promise<string> {
      return new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
        let data = '';
        socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
        socket.setTimeout(5_000, () => socket.destroy(new Error('no answer')));
      });
    }

    it('no response leaks, denials are Envoy\'s 403, and the app saw only normalised URLs', async () => {
      const statuses = new Map<string, string>();
      for (const target of FIXED) {
        const response = await raw([`GET ${target} HTTP/1.1`, 'Host: reviews', 'Connection: close']);
        assert.ok(!response.includes('secret_data_leaked'), `${target} leaked`);
        statuses.set(target, response.split('\r\n')[0]!);
      }
      assert.match(statuses.get('/public/..%2fadmin')!, / 200 /, 'a literal router does not route /public/..%2fadmin to /admin');
      for (const target of ['/admin', '/public/../admin', '/public/%2E/%2E%2E/admin', '/%61dmin', '/admin#x', '/admin;x']) {
        assert.match(statuses.get(target)!, / 403 /, target);
      }
      for (const target of ['/admin%00', 'http://other.svc/admin', '*']) assert.match(statuses.get(target)!, / 400 /, target);
      for (const url of received) {
        const again = normalizePath(url);
        assert.ok(again.ok && again.url === url, `the app got ${url}, which is not normalised`);
      }
      const denied = await raw(['GET /admin HTTP/1.1', 'Host: reviews', 'Connection: close']);
      assert.match(denied, /^HTTP\/1\.1 403 Forbidden\r\n/);
      assert.match(denied, /\r\n\r\nRBAC: access denied$/);
    });

    it('a second Host or Authorization header is a 400; a NUL in a header never reaches authorization', async () => {
      assert.match(await raw(['GET /public HTTP/1.1', 'Host: reviews', 'Host: admin.example', 'Connection: close']), /^HTTP\/1\.1 400/);
      assert.match(await raw(['GET /public HTTP/1.1', 'Host: reviews', 'Authorization: Bearer a', 'Authorization: Bearer b', 'Connection: close']), /^HTTP\/1\.1 400/);
      assert.match(await raw(['GET /public HTTP/1.1', 'Host: reviews', 'X-Role: admin\0user', 'Connection: close']), /^HTTP\/1\.1 400/);
      assert.match(await raw(['GET /public HTTP/1.1', 'Host: reviews', 'Connection: close']), /^HTTP\/1\.1 200/);
    });
  });
});
