// HeaderValueOption semantics: append actions, keep_empty_value, removal before addition.

import assert from 'node:assert/strict';
import { applyHeaderMutations } from './header-mutation';
import type { HeaderAddition } from './types';

const add = (name: string, value: string, action: HeaderAddition['action'], keepEmptyValue = false): HeaderAddition => ({ name, value, action, keepEmptyValue });

describe('applyHeaderMutations', () => {
  it('APPEND_IF_EXISTS_OR_ADD adds another value (Istio headers.add)', () => {
    assert.deepEqual(applyHeaderMutations({ x: 'a' }, [{ remove: [], add: [add('x', 'b', 'APPEND_IF_EXISTS_OR_ADD'), add('y', '1', 'APPEND_IF_EXISTS_OR_ADD')] }]), { x: ['a', 'b'], y: '1' });
  });

  it('OVERWRITE_IF_EXISTS_OR_ADD replaces (Istio headers.set)', () => {
    assert.deepEqual(applyHeaderMutations({ x: ['a', 'b'] }, [{ remove: [], add: [add('x', 'c', 'OVERWRITE_IF_EXISTS_OR_ADD')] }]), { x: 'c' });
  });

  it('ADD_IF_ABSENT and OVERWRITE_IF_EXISTS', () => {
    const out = applyHeaderMutations({ x: 'a' }, [{ remove: [], add: [add('x', 'b', 'ADD_IF_ABSENT'), add('y', '1', 'ADD_IF_ABSENT'), add('z', '1', 'OVERWRITE_IF_EXISTS'), add('x', 'c', 'OVERWRITE_IF_EXISTS')] }]);
    assert.deepEqual(out, { x: 'c', y: '1' });
  });

  it('removal happens before additions of the same level', () => {
    assert.deepEqual(applyHeaderMutations({ x: 'a' }, [{ remove: ['x'], add: [add('x', 'b', 'APPEND_IF_EXISTS_OR_ADD')] }]), { x: 'b' });
  });

  it('empty values are skipped unless keep_empty_value', () => {
    assert.deepEqual(applyHeaderMutations({}, [{ remove: [], add: [add('a', '', 'APPEND_IF_EXISTS_OR_ADD'), add('b', '', 'APPEND_IF_EXISTS_OR_ADD', true)] }]), { b: '' });
  });

  it('does not modify its input', () => {
    const input = { x: ['a'] };
    applyHeaderMutations(input, [{ remove: [], add: [add('x', 'b', 'APPEND_IF_EXISTS_OR_ADD')] }]);
    assert.deepEqual(input, { x: ['a'] });
  });
});
