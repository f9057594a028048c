import assert from 'node:assert/strict';
import { meshServiceDocuments, meshTarget } from './mesh-plane';

describe('mesh plane for the bench', () => {
  it('declares a bench server as a Service with its mesh port and a WorkloadEntry with its real port', () => {
    const [service, entry] = meshServiceDocuments('http', 41234) as [Record<string, any>, Record<string, any>];
    assert.deepEqual([service.kind, service.metadata, service.spec.ports], ['Service', { name: 'bench-http', namespace: 'default' }, [{ name: 'http', port: 9080 }]]);
    assert.deepEqual(service.spec.selector, { app: 'bench-http' });
    assert.deepEqual([entry.kind, entry.spec], ['WorkloadEntry', { address: '127.0.0.1', labels: { app: 'bench-http' }, ports: { http: 41234 } }]);
    const [grpcService] = meshServiceDocuments('grpc', 50051) as [Record<string, any>];
    assert.deepEqual(grpcService.spec.ports, [{ name: 'grpc', port: 9081 }]);
  });

  it('points the mesh drivers at the control plane and the services by their mesh names', () => {
    assert.deepEqual(meshTarget('127.0.0.1:15010'), {
      controlPlane: '127.0.0.1:15010',
      serviceUrl: 'http://bench-http.default.svc.cluster.local:9080/bench',
      grpcService: 'bench-grpc.default.svc.cluster.local',
      grpcPort: 9081,
      clientService: 'bench-client',
      namespace: 'default',
    });
  });
});
