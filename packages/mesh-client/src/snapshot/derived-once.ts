// Values derived from one immutable config object (a compiled route, policy, listener, cluster),
// computed on first use and remembered for as long as the object lives: the per-call paths ask
// again on every request, and the config they ask about only changes by being replaced.

/** Stands for a derived `undefined` in the map (so a miss and a remembered `undefined` differ in one lookup). */
const UNDEFINED = Symbol('undefined');

/** `derive`, computed once per key object (held weakly: collected with its snapshot). */
export function derivedOnce<K extends object, V>(derive: (key: K) => V): (key: K) => V {
  const known = new WeakMap<K, V | typeof UNDEFINED>();
  return (key) => {
    const value = known.get(key);
    if (value !== undefined) return value === UNDEFINED ? (undefined as V) : value;
    const derived = derive(key);
    known.set(key, derived === undefined ? UNDEFINED : derived);
    return derived;
  };
}
