// nginx as a sidecar-style hop: one worker process (a sidecar's budget), keep-alive to the client and
// an upstream keep-alive pool to the backend, access log off, all files in the hop's own directory.
import path from 'node:path';
import type { HopConfig, ProxyKind } from './proxy-kind';

/** The nginx.conf text for one hop. */
export function nginxConfig(hop: HopConfig): string {
  const file = (name: string) => path.join(hop.workDir, name);
  return [
    'daemon off;',
    'worker_processes 1;',
    `pid ${file('nginx.pid')};`,
    `error_log ${file('error.log')} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  keepalive_timeout 600s;',
    '  keepalive_requests 100000000;',
    `  client_body_temp_path ${file('body')};`,
    `  proxy_temp_path ${file('proxy')};`,
    `  fastcgi_temp_path ${file('fastcgi')};`,
    `  uwsgi_temp_path ${file('uwsgi')};`,
    `  scgi_temp_path ${file('scgi')};`,
    '  upstream target {',
    `    server 127.0.0.1:${hop.backendPort};`,
    '    keepalive 256;',
    '    keepalive_requests 100000000;',
    '    keepalive_timeout 600s;',
    '  }',
    '  server {',
    `    listen 127.0.0.1:${hop.listenPort};`,
    '    location / {',
    '      proxy_pass http://target;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** nginx (Debian package `nginx-light` or `nginx`), master + one worker in the foreground. */
export const NGINX: ProxyKind = {
  name: 'nginx',
  binary: 'nginx',
  debianPackage: 'nginx-light',
  config: nginxConfig,
  args: (configPath, hop) => ['-p', hop.workDir, '-c', configPath],
  versionArgs: ['-v'],
};
