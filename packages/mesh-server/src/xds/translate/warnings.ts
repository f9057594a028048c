// Collects what translation could not honour, keyed by the source resource ("Kind/ns/name"), so
// `inboard analyze` and the status API can show it. Nothing Istio config asks for is dropped silently.

/** Accumulates warnings during one translation; `toMap()` gives a sorted, de-duplicated result. */
export class WarningSink {
  private readonly bySource = new Map<string, string[]>();

  /** Records `message` against `source` ("Kind/namespace/name", or an endpoint/service source string). */
  add(source: string, message: string): void {
    const list = this.bySource.get(source);
    if (!list) this.bySource.set(source, [message]);
    else if (!list.includes(message)) list.push(message);
  }

  /** The warnings as an immutable map with sources in sorted order and messages in the order found. */
  toMap(): ReadonlyMap<string, readonly string[]> {
    const out = new Map<string, readonly string[]>();
    for (const source of [...this.bySource.keys()].sort()) {
      out.set(source, Object.freeze([...this.bySource.get(source)!]));
    }
    return out;
  }
}
