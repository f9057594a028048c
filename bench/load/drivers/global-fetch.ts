// Driver `node-fetch-global`: Node's built-in global fetch (the undici bundled inside Node), as an
// application that never imports an HTTP library would call it.
import { expectOk, type Driver, type DriverTarget } from '../driver';

/**
 * `globalThis.fetch(url)`. Node's global dispatcher opens as many connections per origin as there
 * are requests in flight, so the closed-loop concurrency sets the connection count.
 */
export class GlobalFetchDriver implements Driver {
  readonly name = 'node-fetch-global';
  private url = '';

  async setup(target: DriverTarget): Promise<void> {
    this.url = target.url;
  }

  async request(): Promise<void> {
    const response = await globalThis.fetch(this.url);
    await response.arrayBuffer();
    expectOk(response.status, this.name);
  }

  async close(): Promise<void> {}
}
