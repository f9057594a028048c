// core/v1 Service validation table: ports, names, types and the kubectl round-trip fields.

import { type Case, runTable } from './table.test-util';

const svc = (extra: Record<string, unknown> = {}) => ({ ports: [{ port: 9080, name: 'http' }], selector: { app: 'details' }, ...extra });

const cases: Case[] = [
  { name: 'the BookInfo details Service', spec: svc(), errors: [], warnings: [] },
  { name: 'several named ports with targetPort and appProtocol', spec: svc({ ports: [{ name: 'http', port: 8000, targetPort: 80, protocol: 'TCP', appProtocol: 'http' }, { name: 'grpc-api', port: 9000, targetPort: 'grpc', appProtocol: 'kubernetes.io/h2c' }] }), errors: [] },
  {
    name: 'the fields a `kubectl get -o yaml` round trip adds (stored, not enforced)',
    spec: svc({ type: 'ClusterIP', clusterIP: '10.96.12.7', clusterIPs: ['10.96.12.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster', sessionAffinity: 'None' }),
    errors: [],
    warnings: [['spec.clusterIP', 'not enforced'], ['spec.clusterIPs', 'not enforced'], ['spec.ipFamilies', 'not enforced'], ['spec.ipFamilyPolicy', 'not enforced'], ['spec.internalTrafficPolicy', 'not enforced'], ['spec.sessionAffinity', 'not enforced']],
  },
  { name: 'type LoadBalancer (warning)', spec: svc({ type: 'LoadBalancer' }), errors: [], warnings: [['spec.type', 'type LoadBalancer behaves like ClusterIP']] },
  { name: 'an ExternalName service', spec: { type: 'ExternalName', externalName: 'db.example.com' }, errors: [] },
  { name: 'no ports', spec: { selector: { app: 'x' } }, errors: [['spec.ports', 'a Service needs at least one port']] },
  { name: 'two ports, one unnamed', spec: svc({ ports: [{ port: 80, name: 'http' }, { port: 81 }] }), errors: [['spec.ports[1].name', 'is required when a Service has more than one port']] },
  { name: 'a duplicate port name', spec: svc({ ports: [{ port: 80, name: 'http' }, { port: 81, name: 'http' }] }), errors: [['spec.ports[1].name', 'duplicate port name "http"']] },
  { name: 'a duplicate port number', spec: svc({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }), errors: [['spec.ports[1].port', 'duplicate port 80/TCP']] },
  { name: 'port 0', spec: svc({ ports: [{ port: 0, name: 'http' }] }), errors: [['spec.ports[0].port', 'port 0 must be in 1..65535']] },
  { name: 'a port without number', spec: svc({ ports: [{ name: 'http' }] }), errors: [['spec.ports[0].port', 'is required']] },
  { name: 'an application protocol in protocol', spec: svc({ ports: [{ port: 80, name: 'http', protocol: 'HTTP' }] }), errors: [['spec.ports[0].protocol', '"HTTP" is not one of TCP, UDP, SCTP']] },
  { name: 'a port name longer than 15', spec: svc({ ports: [{ port: 80, name: 'http-very-long-name' }] }), errors: [['spec.ports[0].name', 'longer than 15 characters']] },
  { name: 'a numeric port name', spec: svc({ ports: [{ port: 80, name: '8080' }] }), errors: [['spec.ports[0].name', 'must contain at least one letter']] },
  { name: 'a targetPort out of range', spec: svc({ ports: [{ port: 80, name: 'http', targetPort: 0 }] }), errors: [['spec.ports[0].targetPort', 'port 0 must be in 1..65535']] },
  { name: 'externalName without type ExternalName', spec: svc({ externalName: 'db.example.com' }), errors: [['spec.externalName', 'is only allowed with type ExternalName']] },
  { name: 'ExternalName without a name', spec: { type: 'ExternalName' }, errors: [['spec.externalName', 'is required for type ExternalName']] },
  { name: 'an unknown spec field', spec: svc({ ports2: [] }), errors: [['spec.ports2', 'unknown field "ports2"; allowed fields: ports, selector']] },
  { name: 'a name that is not a DNS-1035 label', doc: { apiVersion: 'v1', kind: 'Service', metadata: { name: '1details' }, spec: svc() }, errors: [['metadata.name', 'not a valid DNS-1035 label']] },
];

describe('Service (core/v1) validation', () => runTable('Service', 'v1', cases));
