// Istio's defaults that translation fills in when config leaves a field unset, and the options that
// change them (the MeshConfig knobs istiod reads). One place, so each default is named and sourced.

import type { HTTPRetry } from '../../config/istio-types';
import type { EnvoyDuration } from './envoy-names';
import { parseDuration } from './durations';

/** Options of a translation; every field has Istio's default. */
export interface TranslateOptions {
  /**
   * Istio's config root namespace: DestinationRules there apply mesh-wide after the proxy's and the
   * service's namespaces. Default "istio-system".
   */
  readonly rootNamespace?: string;
  /** MeshConfig.defaultHttpRetryPolicy: the retry policy of routes whose VirtualService sets none. */
  readonly defaultHttpRetryPolicy?: HTTPRetry;
  /**
   * Retry 503 responses in the default retry policy, as Istio 1.1–1.23 did. Istio ≥ 1.24 does not
   * (istio/istio#52111), and neither do we by default.
   */
  readonly retry503ByDefault?: boolean;
  /** MeshConfig.connectTimeout, used when a DestinationRule sets no tcp.connectTimeout. Default "10s". */
  readonly connectTimeout?: string;
  /** Labels of an ingress gateway whose Gateway resource has no selector. Default { istio: ingressgateway }. */
  readonly defaultGatewaySelector?: Readonly<Record<string, string>>;
}

/** TranslateOptions with every default applied. */
export interface ResolvedOptions {
  readonly rootNamespace: string;
  readonly defaultHttpRetryPolicy: HTTPRetry | undefined;
  readonly retry503ByDefault: boolean;
  readonly connectTimeout: EnvoyDuration;
  readonly defaultGatewaySelector: Readonly<Record<string, string>>;
}

/** Istio's default retry conditions (pilot route/retry: DefaultPolicy). */
export const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';
/** Istio's default number of retries. */
export const DEFAULT_RETRY_ATTEMPTS = 2;
/** Istio's default host_selection_retry_max_attempts. */
export const DEFAULT_HOST_SELECTION_RETRY_MAX_ATTEMPTS = 5;
/** Envoy's default minimum ring size, which Istio writes explicitly for consistent hashing. */
export const DEFAULT_MINIMUM_RING_SIZE = 1024;
/** The Istio root namespace. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';
/** The selector Istio's default ingress gateway deployment carries. */
export const DEFAULT_GATEWAY_SELECTOR: Readonly<Record<string, string>> = Object.freeze({ istio: 'ingressgateway' });

/** Applies Istio's defaults to the options. A bad connectTimeout is a programming error and throws. */
export function resolveOptions(options: TranslateOptions = {}): ResolvedOptions {
  const connectTimeout = parseDuration(options.connectTimeout ?? '10s');
  if (!connectTimeout) throw new TypeError(`translate options: connectTimeout "${options.connectTimeout}" is not a duration`);
  return {
    rootNamespace: options.rootNamespace ?? DEFAULT_ROOT_NAMESPACE,
    defaultHttpRetryPolicy: options.defaultHttpRetryPolicy,
    retry503ByDefault: options.retry503ByDefault ?? false,
    connectTimeout,
    defaultGatewaySelector: options.defaultGatewaySelector ?? DEFAULT_GATEWAY_SELECTOR,
  };
}
