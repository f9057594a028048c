// What the xDS translation could not honour, as `inboard analyze` messages (code INB0003): the
// translation runs for a plain sidecar in each namespace that has config and for the default
// ingress gateway, and every warning it records is reported against its source resource.

import type { AnalysisMessage } from '../config/analyze';
import type { ProxyInfo, Translate, TranslationInput } from './contracts';

/** Analysis messages for every translation warning; pure over the input. */
export function translationWarnings(input: TranslationInput, translate: Translate): AnalysisMessage[] {
  const namespaces = new Set(input.config.map((r) => r.metadata.namespace));
  const proxies: ProxyInfo[] = [
    ...[...namespaces].sort().map((namespace): ProxyInfo => ({ id: `analyze~${namespace}`, role: 'sidecar', namespace, labels: {}, locality: '' })),
    { id: 'analyze~gateway', role: 'router', namespace: 'istio-system', labels: { istio: 'ingressgateway' }, locality: '' },
  ];
  const seen = new Set<string>();
  const messages: AnalysisMessage[] = [];
  for (const proxy of proxies) {
    for (const [source, list] of translate(input, proxy).warnings) {
      for (const message of list) {
        const key = `${source}\u0000${message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        messages.push({ level: 'Warning', code: 'INB0003', resource: source, message: `not honoured by the xDS translation: ${message}` });
      }
    }
  }
  return messages;
}
