// HAProxy as a sidecar-style hop: HTTP mode, one thread (a sidecar's budget), keep-alive on both
// sides with connection reuse to the backend, no logging.
import type { HopConfig, ProxyKind } from './proxy-kind';

/** The haproxy.cfg text for one hop. */
export function haproxyConfig(hop: HopConfig): string {
  return [
    'global',
    '  nbthread 1',
    '  maxconn 2000',
    '',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  http-reuse always',
    '  timeout connect 5s',
    '  timeout client 600s',
    '  timeout server 600s',
    '  timeout http-keep-alive 600s',
    '',
    'frontend hop',
    `  bind 127.0.0.1:${hop.listenPort}`,
    '  default_backend upstream',
    '',
    'backend upstream',
    `  server target 127.0.0.1:${hop.backendPort}`,
    '',
  ].join('\n');
}

/** HAProxy (Debian package `haproxy`), run with `-db` (foreground, no daemon). */
export const HAPROXY: ProxyKind = {
  name: 'haproxy',
  binary: 'haproxy',
  debianPackage: 'haproxy',
  config: haproxyConfig,
  args: (configPath) => ['-db', '-f', configPath],
  versionArgs: ['-v'],
};
