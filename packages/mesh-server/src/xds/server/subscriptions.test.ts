// Table tests of the xDS subscription rules (Envoy's wildcard and unsubscribe semantics).

import assert from 'node:assert/strict';
import { TYPE_URL } from '@inboard/xds';
import { NO_SUBSCRIPTION, deltaSubscription, sotwSubscription, type Subscription } from './subscriptions';

const view = (s: Subscription) => ({ wildcard: s.wildcard, names: [...s.names].sort(), explicit: s.explicit });

describe('subscriptions', () => {
  describe('SotW', () => {
    // Each row applies its requests in order and checks the final subscription.
    const table: [string, string, string[][], ReturnType<typeof view>][] = [
      ['first empty LDS request is the legacy wildcard', TYPE_URL.LISTENER, [[]], { wildcard: true, names: [], explicit: false }],
      ['empty requests keep the legacy wildcard', TYPE_URL.CLUSTER, [[], []], { wildcard: true, names: [], explicit: false }],
      ['empty RDS request subscribes to nothing', TYPE_URL.ROUTE, [[]], { wildcard: false, names: [], explicit: false }],
      ['"*" plus a name', TYPE_URL.LISTENER, [[], ['*', 'A']], { wildcard: true, names: ['A'], explicit: true }],
      ['naming only A ends the wildcard', TYPE_URL.LISTENER, [['*', 'A'], ['A']], { wildcard: false, names: ['A'], explicit: true }],
      ['empty after explicit names unsubscribes all', TYPE_URL.LISTENER, [['A'], []], { wildcard: false, names: [], explicit: true }],
      ['"*" on EDS is not a wildcard', TYPE_URL.ENDPOINT, [['*', 'c1']], { wildcard: false, names: ['c1'], explicit: true }],
      ['the latest list replaces the previous one', TYPE_URL.ENDPOINT, [['a', 'b'], ['b', 'c']], { wildcard: false, names: ['b', 'c'], explicit: true }],
    ];
    for (const [label, typeUrl, requests, expected] of table) {
      it(label, () => {
        const result = requests.reduce((sub, names) => sotwSubscription(sub, typeUrl, names), NO_SUBSCRIPTION);
        assert.deepEqual(view(result), expected);
      });
    }
  });

  describe('delta', () => {
    const table: [string, string, [string[], string[]][], ReturnType<typeof view>][] = [
      ['first request naming nothing is the legacy wildcard (CDS)', TYPE_URL.CLUSTER, [[[], []]], { wildcard: true, names: [], explicit: false }],
      ['then A adds to the wildcard', TYPE_URL.CLUSTER, [[[], []], [['A'], []]], { wildcard: true, names: ['A'], explicit: true }],
      ['unsubscribing "*" keeps A', TYPE_URL.CLUSTER, [[[], []], [['A'], []], [[], ['*']]], { wildcard: false, names: ['A'], explicit: true }],
      ['unsubscribing A leaves nothing, not a wildcard', TYPE_URL.CLUSTER, [[[], []], [['A'], []], [[], ['*']], [[], ['A']]], { wildcard: false, names: [], explicit: true }],
      ['first request naming nothing on RDS subscribes to nothing', TYPE_URL.ROUTE, [[[], []]], { wildcard: false, names: [], explicit: false }],
      ['phantom unsubscribes are harmless', TYPE_URL.ENDPOINT, [[['a'], ['zz']]], { wildcard: false, names: ['a'], explicit: true }],
    ];
    for (const [label, typeUrl, requests, expected] of table) {
      it(label, () => {
        const result = requests.reduce((sub, [add, remove], i) => deltaSubscription(sub, typeUrl, add, remove, i === 0), NO_SUBSCRIPTION);
        assert.deepEqual(view(result), expected);
      });
    }
  });
});
