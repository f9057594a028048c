// Translated and encoded resources per client view. Clients whose view key matches (see
// viewKeyOf) share one translation per input generation; each resource is encoded once and
// versioned by a short hash of its bytes, which is what per-client diffing compares.

import { createHash } from 'node:crypto';
import { FAMILY_TYPE_URL, encodeResource, resourceNameOf, type EncodedAny, type XdsProtos } from '@inboard/xds';
import type { ProxyInfo, Translate, TranslationInput, XdsFamily } from '../contracts';
import type { XdsServerLog } from './server-options';

/** One resource ready to send. */
export interface EncodedResource {
  readonly name: string;
  /** Short hash of the encoded bytes. */
  readonly version: string;
  readonly any: EncodedAny;
  /** The plain object it was encoded from (for config dumps). */
  readonly object: object;
}

/** The resources one view is served, by family and name. */
export interface ResourceView {
  readonly key: string;
  readonly generation: number;
  /** False when translation failed and there is no earlier result: serve nothing rather than an empty set. */
  readonly ok: boolean;
  readonly families: Readonly<Record<XdsFamily, ReadonlyMap<string, EncodedResource>>>;
}

const FAMILIES: readonly XdsFamily[] = ['listeners', 'routes', 'clusters', 'endpoints'];

/** Short content version of encoded bytes. */
export function contentVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 12);
}

/** Computes views lazily, once per (view key, generation). */
export class ViewCache {
  private generationNo = 0;
  private input: TranslationInput | undefined;
  private views = new Map<string, ResourceView>();
  /** Views of the previous generation, reused when a translation fails. */
  private previous = new Map<string, ResourceView>();

  constructor(
    private readonly translate: Translate,
    private readonly readInput: () => TranslationInput,
    private readonly protos: XdsProtos,
    private readonly log: XdsServerLog,
  ) {}

  /** The current input generation (0 before the first view). */
  get generation(): number {
    return this.generationNo;
  }

  /** Starts a new generation: the input is read again and every view is recomputed on demand. */
  invalidate(): void {
    this.generationNo += 1;
    this.input = undefined;
    this.previous = new Map([...this.previous, ...this.views]);
    this.views = new Map();
  }

  /** Drops cached views whose key no client uses any more. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of [...this.views.keys()]) if (!keys.has(key)) this.views.delete(key);
    for (const key of [...this.previous.keys()]) if (!keys.has(key)) this.previous.delete(key);
  }

  /** The view of `key`, translating for `proxy` if this generation has not computed it yet. */
  view(key: string, proxy: ProxyInfo): ResourceView {
    const cached = this.views.get(key);
    if (cached) return cached;
    const view = this.compute(key, proxy);
    this.views.set(key, view);
    return view;
  }

  private compute(key: string, proxy: ProxyInfo): ResourceView {
    let set;
    try {
      this.input ??= this.readInput();
      set = this.translate(this.input, proxy);
    } catch (e) {
      const earlier = this.previous.get(key);
      this.log.error(`xds: translation failed for ${proxy.id} (view ${key}); ${earlier ? 'serving its previous resources' : 'serving nothing'}: ${(e as Error).message}`);
      return earlier ?? { key, generation: this.generationNo, ok: false, families: emptyFamilies() };
    }
    const earlier = this.previous.get(key);
    const families = {} as Record<XdsFamily, ReadonlyMap<string, EncodedResource>>;
    for (const family of FAMILIES) {
      families[family] = this.encodeFamily(family, set[family], earlier?.families[family], proxy);
    }
    return { key, generation: this.generationNo, ok: true, families };
  }

  private encodeFamily(family: XdsFamily, objects: ReadonlyMap<string, object>, earlier: ReadonlyMap<string, EncodedResource> | undefined, proxy: ProxyInfo): Map<string, EncodedResource> {
    const typeUrl = FAMILY_TYPE_URL[family];
    const out = new Map<string, EncodedResource>();
    for (const [name, object] of objects) {
      try {
        const own = resourceNameOf(typeUrl, object as Record<string, unknown>);
        if (own !== name) throw new Error(`it is keyed "${name}" but names itself ${JSON.stringify(own)}`);
        const any = encodeResource(typeUrl, object, this.protos);
        const version = contentVersion(any.value);
        const before = earlier?.get(name);
        out.set(name, before && before.version === version ? before : { name, version, any, object });
      } catch (e) {
        this.log.error(`xds: not serving ${family} "${name}" to ${proxy.id}: ${(e as Error).message}`);
      }
    }
    return out;
  }
}

function emptyFamilies(): Record<XdsFamily, ReadonlyMap<string, EncodedResource>> {
  return { listeners: new Map(), routes: new Map(), clusters: new Map(), endpoints: new Map() };
}
