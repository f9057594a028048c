// ServiceEntry and WorkloadEntry validation tables: hosts, ports, resolution modes and endpoints.

import { type Case, runTable } from './table.test-util';

const ports = [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'https', protocol: 'HTTPS' }];
const se = (extra: Record<string, unknown> = {}) => ({ hosts: ['www.googleapis.com'], ports, resolution: 'DNS', ...extra });

const serviceEntries: Case[] = [
  { name: 'the BookInfo egress entry', spec: se(), errors: [], warnings: [] },
  { name: 'STATIC endpoints', spec: se({ hosts: ['db.internal'], resolution: 'STATIC', location: 'MESH_INTERNAL', endpoints: [{ address: '10.0.0.5', ports: { http: 8080 }, labels: { version: 'v1' }, locality: 'us-east/a', weight: 2 }] }), errors: [] },
  { name: 'a workload selector', spec: se({ hosts: ['vm.internal'], resolution: 'STATIC', location: 'MESH_INTERNAL', workloadSelector: { labels: { app: 'vm' } } }), errors: [] },
  { name: 'DNS endpoints by name', spec: se({ endpoints: [{ address: 'mirror.example.com' }] }), errors: [] },
  { name: 'a unix socket endpoint', spec: { hosts: ['local.sock'], ports: [{ number: 80, name: 'http' }], resolution: 'STATIC', endpoints: [{ address: 'unix:///var/run/app.sock' }] }, errors: [] },
  { name: 'no hosts', spec: { ports }, errors: [['spec.hosts', 'is required']] },
  { name: 'host "*"', spec: se({ hosts: ['*'], resolution: 'NONE' }), errors: [['spec.hosts[0]', '"*" is not allowed']] },
  { name: 'a duplicate port name', spec: se({ ports: [{ number: 80, name: 'http' }, { number: 81, name: 'http' }] }), errors: [['spec.ports[1].name', 'duplicate port name "http"']] },
  { name: 'a duplicate port number', spec: se({ ports: [{ number: 80, name: 'a' }, { number: 80, name: 'b' }] }), errors: [['spec.ports[1].number', 'duplicate port 80']] },
  { name: 'an upper-case port name', spec: se({ ports: [{ number: 80, name: 'HTTP' }] }), errors: [['spec.ports[0].name', 'port name "HTTP" is not a valid DNS-1123 label']] },
  { name: 'an unknown protocol', spec: se({ ports: [{ number: 80, name: 'h3', protocol: 'HTTP3' }] }), errors: [['spec.ports[0].protocol', 'unsupported protocol "HTTP3"']] },
  { name: 'a port without number', spec: se({ ports: [{ name: 'http' }] }), errors: [['spec.ports[0].number', 'is required']] },
  { name: 'DYNAMIC_DNS', spec: se({ hosts: ['*.example.com'], resolution: 'DYNAMIC_DNS' }), errors: [['spec.resolution', 'DYNAMIC_DNS is not supported by Inboard']] },
  { name: 'resolution NONE with endpoints', spec: se({ resolution: 'NONE', endpoints: [{ address: '1.2.3.4' }] }), errors: [['spec.endpoints', 'endpoints are not allowed']] },
  { name: 'a STATIC endpoint given by name', spec: se({ resolution: 'STATIC', endpoints: [{ address: 'db.example.com' }] }), errors: [['spec.endpoints[0].address', 'STATIC resolution needs IP endpoints']] },
  { name: 'an endpoint port the entry does not declare', spec: se({ resolution: 'STATIC', endpoints: [{ address: '1.2.3.4', ports: { grpc: 9000 } }] }), errors: [['spec.endpoints[0].ports[grpc]', 'not one of the ServiceEntry\'s ports']] },
  { name: 'two endpoints with DNS_ROUND_ROBIN', spec: se({ resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }] }), errors: [['spec.endpoints', 'at most one endpoint']] },
  { name: 'a selector and endpoints together', spec: se({ resolution: 'STATIC', workloadSelector: { labels: { app: 'a' } }, endpoints: [{ address: '1.2.3.4' }] }), errors: [['spec', 'only one of workloadSelector, endpoints']] },
  { name: 'a CIDR address with DNS resolution', spec: se({ addresses: ['10.0.0.0/24'] }), errors: [['spec.addresses', 'CIDR addresses are only allowed with resolution NONE or STATIC']] },
  { name: 'a wildcard host resolved by DNS without endpoints', spec: se({ hosts: ['*.googleapis.com'] }), errors: [['spec.hosts', 'every host must be a resolvable name']] },
  { name: 'several hosts on a TCP port', spec: se({ hosts: ['a.example.com', 'b.example.com'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }] }), errors: [['spec.hosts', 'several hosts with a non-HTTP, non-TLS port']] },
  { name: 'an unknown location', spec: se({ location: 'EXTERNAL' }), errors: [['spec.location', 'is not one of MESH_EXTERNAL, MESH_INTERNAL']] },
];

const workloadEntries: Case[] = [
  { name: 'an address with ports and labels', spec: { address: '10.0.0.7', ports: { http: 9080 }, labels: { app: 'details', version: 'v1' }, serviceAccount: 'bookinfo-details', locality: 'us-east/a/1', weight: 3 }, errors: [], warnings: [] },
  { name: 'a host-name address', spec: { address: 'vm1.example.com' }, errors: [] },
  { name: 'no address', spec: { labels: { app: 'x' } }, errors: [['spec.address', 'is required']] },
  { name: 'an invalid address', spec: { address: 'not an address' }, errors: [['spec.address', 'is not a valid IP address or host name']] },
  { name: 'a unix socket with ports', spec: { address: 'unix:///tmp/s.sock', ports: { http: 80 } }, errors: [['spec.ports', 'a unix socket endpoint cannot have ports']] },
  { name: 'a relative unix socket', spec: { address: 'unix://tmp/s.sock' }, errors: [['spec.address', 'absolute file path']] },
  { name: 'an invalid port name', spec: { address: '10.0.0.7', ports: { Web_Port: 80 } }, errors: [['spec.ports[Web_Port]', 'port name "Web_Port" is not a valid DNS-1123 label']] },
  { name: 'port 0', spec: { address: '10.0.0.7', ports: { http: 0 } }, errors: [['spec.ports[http]', 'port 0 must be in 1..65535']] },
  { name: 'a locality with too many parts', spec: { address: '10.0.0.7', locality: 'a/b/c/d' }, errors: [['spec.locality', 'must be "region/zone/subzone"']] },
  { name: 'a negative weight', spec: { address: '10.0.0.7', weight: -1 }, errors: [['spec.weight', 'must not be negative']] },
  { name: 'only a network (warning)', spec: { network: 'net-2' }, errors: [], warnings: [['spec.network', 'accepted but not enforced'], ['spec.address', 'address is unset with network']] },
];

describe('ServiceEntry validation', () => runTable('ServiceEntry', 'networking.istio.io/v1', serviceEntries));
describe('WorkloadEntry validation', () => runTable('WorkloadEntry', 'networking.istio.io/v1', workloadEntries));
