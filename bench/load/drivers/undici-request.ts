// Driver `undici-request`: undici's top-level `request(url, { dispatcher: pool })`, the raw client
// with the same call the mesh's Dispatcher front end is used through — its like-for-like baseline
// (the URL parsing and option handling of `request()` cost it more than `Pool.request` itself).
import { Pool, request } from 'undici';
import { expectOk, type Driver, type DriverTarget } from '../driver';

/** `request(url, { dispatcher })` over a Pool of `connections` keep-alive connections; the body is read to the end. */
export class UndiciRequestDriver implements Driver {
  readonly name = 'undici-request';
  private pool: Pool | undefined;
  private url = '';

  async setup(target: DriverTarget): Promise<void> {
    this.url = target.url;
    this.pool = new Pool(new URL(target.url).origin, { connections: target.connections, pipelining: 1 });
  }

  async request(): Promise<void> {
    const { statusCode, body } = await request(this.url, { dispatcher: this.pool! });
    await body.arrayBuffer();
    expectOk(statusCode, this.name);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
