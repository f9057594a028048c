// The security group's target, in its own process: the same 1 KB keep-alive handler as the bench's
// HTTP server, served twice — plaintext node:http, and node:https with mutual TLS (mesh-issued SPIFFE
// leaf, client certificate required and checked against the mesh root). Prints
// "listening http=<port> https=<port> ready"; on the stdin line "stats" prints
// "stats http=<connections> https=<handshakes>" (so the bench can see whether clients keep connections alive).
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import readline from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { cert: { type: 'string' }, key: { type: 'string' }, ca: { type: 'string' }, 'body-bytes': { type: 'string', default: '1024' } } });
if (!values.cert || !values.key || !values.ca) throw new Error('--cert, --key and --ca (PEM files) are required');
const bodyBytes = Number(values['body-bytes']);
if (!Number.isInteger(bodyBytes) || bodyBytes < 0) throw new Error(`--body-bytes must be a byte count (got ${values['body-bytes']})`);

const body = Buffer.alloc(bodyBytes, 'x');
const headers = { 'content-type': 'text/plain', 'content-length': String(bodyBytes) };
const handler: http.RequestListener = (request, response) => {
  request.resume();
  response.writeHead(200, headers);
  response.end(body);
};

function keepOpen<T extends http.Server>(server: T): T {
  server.keepAliveTimeout = 600_000;
  server.headersTimeout = 610_000;
  server.requestTimeout = 0;
  return server;
}

const plain = keepOpen(http.createServer(handler));
const secure = keepOpen(
  https.createServer(
    {
      cert: fs.readFileSync(values.cert),
      key: fs.readFileSync(values.key),
      ca: fs.readFileSync(values.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    handler,
  ),
);

const opened = { http: 0, https: 0 };
plain.on('connection', () => void opened.http++);
secure.on('secureConnection', () => void opened.https++);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stats') process.stdout.write(`stats http=${opened.http} https=${opened.https}\n`);
});

const listen = (server: http.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

void Promise.all([listen(plain), listen(secure)]).then(([httpPort, httpsPort]) => {
  process.stdout.write(`listening http=${httpPort} https=${httpsPort} ready\n`);
});

process.on('SIGTERM', () => {
  plain.closeAllConnections();
  secure.closeAllConnections();
  plain.close();
  secure.close(() => process.exit(0));
});
