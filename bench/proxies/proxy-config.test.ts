import assert from 'node:assert/strict';
import { haproxyConfig, HAPROXY } from './haproxy';
import { nginxConfig, NGINX } from './nginx';
import { proxyAvailability } from './proxy-chain';

const hop = { listenPort: 40001, backendPort: 40002, workDir: '/tmp/hop-x' };

describe('proxy hop configs', () => {
  it('HAProxy: one thread, HTTP mode, keep-alive with reuse, loopback only', () => {
    const config = haproxyConfig(hop);
    for (const line of ['nbthread 1', 'mode http', 'option http-keep-alive', 'http-reuse always', 'bind 127.0.0.1:40001', 'server target 127.0.0.1:40002']) {
      assert.ok(config.includes(line), `missing "${line}"`);
    }
    assert.doesNotMatch(config, /0\.0\.0\.0|\blog\b/);
    assert.deepEqual(HAPROXY.args('/tmp/hop-x/haproxy.conf', hop), ['-db', '-f', '/tmp/hop-x/haproxy.conf']);
  });

  it('nginx: one worker, upstream keep-alive pool, every file inside the hop directory', () => {
    const config = nginxConfig(hop);
    for (const line of ['worker_processes 1;', 'daemon off;', 'listen 127.0.0.1:40001;', 'server 127.0.0.1:40002;', 'keepalive 256;', 'proxy_http_version 1.1;', 'proxy_set_header Connection "";', 'access_log off;']) {
      assert.ok(config.includes(line), `missing "${line}"`);
    }
    const paths = config.match(/(?<=\s)\/[^\s;]+/g) ?? [];
    assert.ok(paths.length >= 7);
    for (const file of paths) assert.ok(file.startsWith('/tmp/hop-x/'), `${file} is outside the hop directory`);
    assert.deepEqual(NGINX.args('/tmp/hop-x/nginx.conf', hop), ['-p', '/tmp/hop-x', '-c', '/tmp/hop-x/nginx.conf']);
  });

  it('says which Debian package to install when the binary is missing', () => {
    const missing = proxyAvailability({ ...HAPROXY, binary: 'no-such-proxy-binary' });
    assert.deepEqual(missing, { available: false, reason: 'install haproxy (apt-get install -y haproxy): no no-such-proxy-binary binary found' });
  });
});
