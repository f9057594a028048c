// The node:https side of a TLS gateway listener: reads every chain's certificate files (an error
// names the Gateway server and the file), builds one SecureContext per chain and picks it by SNI
// (no matching chain → the handshake is refused, as Envoy closes a connection no filter chain matches).

import fs from 'node:fs';
import type https from 'node:https';
import tls from 'node:tls';
import { chainForServerName, type TlsChainPlan } from './tls-plan';
import type { TlsListenerPlan } from './listener-plan';

/** A chain with its loaded SecureContext. */
interface LoadedChain {
  readonly plan: TlsChainPlan;
  readonly context: tls.SecureContext;
  readonly options: tls.SecureContextOptions;
}

function read(chain: TlsChainPlan, what: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new Error(`TLS server ${chain.name}: cannot read its ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function load(chain: TlsChainPlan): LoadedChain {
  const options: tls.SecureContextOptions = {
    cert: read(chain, 'certificate', chain.certFile),
    key: read(chain, 'private key', chain.keyFile),
    ...(chain.caFile ? { ca: read(chain, 'client CA bundle', chain.caFile) } : {}),
    ...(chain.minVersion ? { minVersion: chain.minVersion as tls.SecureVersion } : {}),
    ...(chain.maxVersion ? { maxVersion: chain.maxVersion as tls.SecureVersion } : {}),
    ...(chain.ciphers ? { ciphers: chain.ciphers } : {}),
    ...(chain.ecdhCurve ? { ecdhCurve: chain.ecdhCurve } : {}),
  };
  try {
    return { plan: chain, context: tls.createSecureContext(options), options };
  } catch (error) {
    throw new Error(`TLS server ${chain.name}: certificate ${chain.certFile} / key ${chain.keyFile}${chain.caFile ? ` / CA ${chain.caFile}` : ''} are not usable: ${(error as Error).message}`);
  }
}

/** The https.createServer options of a TLS listener; throws an error naming the server and file at fault. */
export function httpsServerOptions(plan: TlsListenerPlan): https.ServerOptions {
  const chains = plan.chains.map(load);
  const first = chains[0]!.plan;
  const fallback = chains.find((c) => c.plan.serverNames.length === 0);
  return {
    // Without a catch-all chain there is no default certificate: a ClientHello without SNI fails.
    ...(fallback ? fallback.options : chains[0]!.options.ca ? { ca: chains[0]!.options.ca } : {}),
    requestCert: first.clientCertificate !== 'none',
    rejectUnauthorized: first.clientCertificate === 'required',
    SNICallback: (servername, done) => {
      const chain = chainForServerName(chains.map((c) => ({ serverNames: c.plan.serverNames, loaded: c })), servername);
      if (chain) done(null, chain.loaded.context);
      else done(new Error(`no TLS server for SNI "${servername}"`));
    },
  };
}

/** The chain a TLS connection was accepted on (by its SNI). */
export function chainOfSocket(plan: TlsListenerPlan, socket: tls.TLSSocket): TlsChainPlan | undefined {
  const servername = (socket as tls.TLSSocket & { servername?: string | false }).servername;
  return chainForServerName(plan.chains, typeof servername === 'string' ? servername : undefined);
}
