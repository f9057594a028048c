// The bench's HTTP/1.1 target, run in its own process: node:http with keep-alive, answering every
// request with one fixed body. Prints "listening 127.0.0.1:<port> ready" once ready; stops on SIGTERM.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'body-bytes': { type: 'string', default: '1024' },
  },
});
const port = Number(values.port);
const bodyBytes = Number(values['body-bytes']);
if (!Number.isInteger(port) || port < 0) throw new Error(`--port must be a port number (got ${values.port})`);
if (!Number.isInteger(bodyBytes) || bodyBytes < 0) throw new Error(`--body-bytes must be a byte count (got ${values['body-bytes']})`);

const body = Buffer.alloc(bodyBytes, 'x');
const headers = { 'content-type': 'text/plain', 'content-length': String(bodyBytes) };

const server = http.createServer((request, response) => {
  // Drain any request body, then answer; the bench sends GETs, so this is normally a no-op.
  request.resume();
  response.writeHead(200, headers);
  response.end(body);
});
// Idle keep-alive connections (e.g. a proxy's pool between scenarios) stay open for the whole run.
server.keepAliveTimeout = 600_000;
server.headersTimeout = 610_000;
server.requestTimeout = 0;

server.listen(port, '127.0.0.1', () => {
  const address = server.address() as AddressInfo;
  process.stdout.write(`listening 127.0.0.1:${address.port} ready\n`);
});

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
