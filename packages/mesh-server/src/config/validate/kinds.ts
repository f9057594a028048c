// Which spec schema and which metadata.name rule belong to each kind the control plane stores.

import type { KindName } from '../resource';
import { peerAuthenticationSpec, requestAuthenticationSpec } from './authentication';
import { authorizationPolicySpec } from './authorization-policy';
import { destinationRuleSpec } from './destination-rule';
import { gatewaySpec } from './gateway';
import { dns1035LabelError, dns1123LabelError, dns1123SubdomainError } from './names';
import type { Schema } from './schema';
import { serviceSpec } from './service';
import { serviceEntrySpec, workloadEntrySpec } from './service-entry';
import { virtualServiceSpec } from './virtual-service';

/** How one kind is validated. */
export interface KindRules {
  readonly spec: Schema;
  /** The rule metadata.name must follow; returns an error message or undefined. */
  readonly name: (name: string) => string | undefined;
}

/** Validation rules per kind. */
export const KIND_RULES: Readonly<Record<KindName, KindRules>> = {
  VirtualService: { spec: virtualServiceSpec, name: dns1123SubdomainError },
  DestinationRule: { spec: destinationRuleSpec, name: dns1123SubdomainError },
  // Istio: "Gateway name must conform to the DNS label format (no dots)".
  Gateway: { spec: gatewaySpec, name: dns1123LabelError },
  ServiceEntry: { spec: serviceEntrySpec, name: dns1123SubdomainError },
  WorkloadEntry: { spec: workloadEntrySpec, name: dns1123SubdomainError },
  PeerAuthentication: { spec: peerAuthenticationSpec, name: dns1123SubdomainError },
  AuthorizationPolicy: { spec: authorizationPolicySpec, name: dns1123SubdomainError },
  RequestAuthentication: { spec: requestAuthenticationSpec, name: dns1123SubdomainError },
  // Kubernetes: Service names are DNS-1035 labels (they become DNS names).
  Service: { spec: serviceSpec, name: dns1035LabelError },
};
