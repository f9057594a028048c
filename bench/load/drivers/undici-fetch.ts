// Driver `undici-fetch`: the WHATWG fetch from the undici package (the version the mesh-client
// depends on), on its own Agent so the connection count is the bench's.
import { Agent, fetch } from 'undici';
import { expectOk, type Driver, type DriverTarget } from '../driver';

/** undici `fetch(url, { dispatcher })` with an Agent of `connections` per origin; body read as bytes. */
export class UndiciFetchDriver implements Driver {
  readonly name = 'undici-fetch';
  private agent: Agent | undefined;
  private url = '';

  async setup(target: DriverTarget): Promise<void> {
    this.url = target.url;
    this.agent = new Agent({ connections: target.connections, pipelining: 1 });
  }

  async request(): Promise<void> {
    const response = await fetch(this.url, { dispatcher: this.agent });
    await response.arrayBuffer();
    expectOk(response.status, this.name);
  }

  async close(): Promise<void> {
    await this.agent?.close();
  }
}
