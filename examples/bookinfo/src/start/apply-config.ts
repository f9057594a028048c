// Applies the example's YAML files to a running control plane through its admin API (the same
// atomic apply `inboard apply -f` sends), and names the files `npm start` applies by default.
import fs from 'node:fs';
import path from 'node:path';
import { parseYamlDocuments } from '@inboard/mesh-server';
import { StartError } from './errors';

/** examples/bookinfo/config: the project's own mesh config. */
export const CONFIG_DIR = path.resolve(__dirname, '..', '..', 'config');

/** Istio's getting-started state: the services, the ingress, the subsets, and every service on v1. */
export const DEFAULT_CONFIG_FILES: readonly string[] = Object.freeze([
  'services.yaml',
  'gateway.yaml',
  'destination-rule-all.yaml',
  'virtual-service-all-v1.yaml',
]);

/** Where and as whom to apply. */
export interface AdminTarget {
  /** Admin API base URL, e.g. http://127.0.0.1:15014. */
  readonly apiUrl: string;
  /** Bearer token (the control plane's admin token). */
  readonly token: string;
}

interface ApplyResultLine {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly action: string;
}

/**
 * Sends every document of `files` (absolute paths) in ONE apply request; resolves with one line per
 * resource (`VirtualService default/reviews created`). A rejected batch throws CONFIG_REJECTED
 * listing the server's problems; nothing is stored then.
 */
export async function applyConfigFiles(target: AdminTarget, files: readonly string[]): Promise<string[]> {
  const documents = files.flatMap((file) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new StartError('CONFIG_REJECTED', `cannot read config file ${file}: ${(error as Error).message}`);
    }
    return parseYamlDocuments(file, text).map((doc) => ({ source: path.basename(file), index: doc.index, object: doc.object, ...(doc.item !== undefined ? { item: doc.item } : {}) }));
  });
  const response = await fetch(new URL('/apis/inboard.io/v1/apply', target.apiUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
    body: JSON.stringify({ documents }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json().catch(() => ({}))) as { results?: ApplyResultLine[]; message?: string; details?: { errors?: { source?: string; path?: string; message?: string }[] } };
  if (!response.ok) {
    const problems = (body.details?.errors ?? []).map((e) => `  ${e.source ?? ''} ${e.path ?? ''}: ${e.message ?? ''}`);
    throw new StartError('CONFIG_REJECTED', [`the control plane refused the config (${response.status}): ${body.message ?? ''}`, ...problems].join('\n'));
  }
  return (body.results ?? []).map((r) => `${r.kind} ${r.namespace}/${r.name} ${r.action}`);
}
