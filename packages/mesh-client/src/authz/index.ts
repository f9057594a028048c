// Inbound authorization with Istio's semantics, evaluated the Envoy way: compile the RBAC HTTP
// filters of a served port's inbound listener once per snapshot, then `authorize` every request
// (normalising its path once, for both authorization and the application).

export { authorize, denyResponse, localReplyFor, denyAllFilters, describeRbacPolicy, type LocalReply } from './authorize';
export { compileRbac, compileRbacFilters } from './compile-rbac';
export { AuthzError, isAuthzError, type AuthzErrorCode, type AuthzConfigIssue } from './errors';
export { readInboundSettings, inboundListenerName, INBOUND_LISTENER_PREFIX, type InboundSettings, type InboundMtlsMode } from './inbound-settings';
export {
  normalizePath, DEFAULT_PATH_NORMALIZATION, PATH_NORMALIZATIONS, type PathNormalization, type PathNormalizationResult,
  type NormalizedTarget, type RejectedTarget,
} from './normalize-path';
export { headerProblem, normalizeAuthority, SINGLE_VALUE_HEADERS, JWT_AUTHN_FILTER } from './request-context';
export type {
  AuthzRequest, AuthzOptions, AuthzDecision, AuthzAllowed, AuthzDenied, CompiledRbac, CompiledRbacRules, CompiledPolicy,
  RbacAction, ShadowResult,
} from './types';
