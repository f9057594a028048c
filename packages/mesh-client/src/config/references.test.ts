// Which RDS/EDS names a compiled snapshot references, and the subscription delta between name sets.

import assert from 'node:assert/strict';
import { compileSnapshot } from '../snapshot/compile';
import { bookinfoResources } from '../snapshot/test-resources';
import { referencedEndpointNames, referencedRouteNames, subscriptionDelta } from './references';

describe('config references', () => {
  const { snapshot } = compileSnapshot(bookinfoResources());

  it('lists the route configurations the listeners name', () => {
    const names = referencedRouteNames(snapshot);
    assert.ok(names.size > 0);
    for (const listener of snapshot.listeners.values()) assert.ok(names.has(listener.http!.routeConfigName!), listener.name);
  });

  it('lists the EDS names of EDS clusters only', () => {
    const names = referencedEndpointNames(snapshot);
    const eds = [...snapshot.clusters.values()].filter((c) => c.type === 'EDS');
    assert.deepEqual([...names].sort(), eds.map((c) => c.edsServiceName ?? c.name).sort());
  });

  it('computes what to subscribe and unsubscribe', () => {
    assert.deepEqual(subscriptionDelta(new Set(['a', 'b']), new Set(['b', 'c', 'd'])), { added: ['c', 'd'], removed: ['a'] });
    assert.deepEqual(subscriptionDelta(new Set(), new Set()), { added: [], removed: [] });
  });
});
