import assert from 'node:assert/strict';
import type { ClientSyncStatus, FamilySyncStatus } from '../../xds/contracts';
import { resolveClientId } from './proxy-config';
import { renderProxyStatus, stateLabel } from './proxy-status';

const family = (state: FamilySyncStatus['state'], nackError?: string): FamilySyncStatus => ({ state, subscribed: 1, ...(nackError ? { nackError } : {}) });
const client = (id: string, routes: FamilySyncStatus): ClientSyncStatus => ({
  proxy: { id, role: 'sidecar', namespace: 'default', labels: {}, locality: '' },
  peer: '127.0.0.1:50000',
  connectedAt: '2026-01-01T00:00:00Z',
  protocol: 'sotw',
  families: { clusters: family('SYNCED'), endpoints: family('STALE'), listeners: family('SYNCED'), routes },
});

describe('proxy-status and proxy-config helpers', () => {
  it('labels states, NOT_SENT as "NOT SENT"', () => {
    assert.equal(stateLabel(family('NOT_SENT')), 'NOT SENT');
    assert.equal(stateLabel(undefined), 'NOT SENT');
    assert.equal(stateLabel(family('NACKED')), 'NACKED');
  });

  it('renders one row per client, sorted, with NACK text below', () => {
    const text = renderProxyStatus([client('reviews-v2', family('NACKED', 'route weight sum is zero')), client('productpage-v1', family('SYNCED'))]);
    const lines = text.split('\n');
    assert.match(lines[0]!, /^NAME\s+CLUSTERS\s+LISTENERS\s+ENDPOINTS\s+ROUTES\s+PROTOCOL\s+PEER$/);
    assert.match(lines[1]!, /^productpage-v1\s+SYNCED\s+SYNCED\s+STALE\s+SYNCED\s+sotw/);
    assert.match(lines[2]!, /^reviews-v2\s+SYNCED\s+SYNCED\s+STALE\s+NACKED\s+sotw/);
    assert.ok(text.includes('NACKs:\n  reviews-v2 routes: route weight sum is zero'));
  });

  it('resolves a client id exactly or by a unique prefix', () => {
    const ids = ['reviews-v1-1', 'reviews-v2-1', 'ratings-v1-1'];
    assert.equal(resolveClientId('reviews-v1-1', ids), 'reviews-v1-1');
    assert.equal(resolveClientId('ra', ids), 'ratings-v1-1');
    assert.throws(() => resolveClientId('reviews', ids), /matches 2 clients: reviews-v1-1, reviews-v2-1/);
    assert.throws(() => resolveClientId('nope', ids), /no connected xDS client id starts with "nope"/);
  });
});
