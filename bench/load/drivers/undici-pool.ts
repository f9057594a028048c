// Driver `undici-pool`: undici's Pool.request against one origin, the fastest plain Node HTTP/1.1
// client and the raw baseline every HTTP row is compared with.
import { Pool } from 'undici';
import { expectOk, type Driver, type DriverTarget } from '../driver';

/** undici `Pool.request` with `connections` keep-alive connections; the body is read to the end. */
export class UndiciPoolDriver implements Driver {
  readonly name = 'undici-pool';
  private pool: Pool | undefined;
  private path = '/';

  async setup(target: DriverTarget): Promise<void> {
    const url = new URL(target.url);
    this.path = url.pathname + url.search;
    this.pool = new Pool(url.origin, { connections: target.connections, pipelining: 1 });
  }

  async request(): Promise<void> {
    const { statusCode, body } = await this.pool!.request({ path: this.path, method: 'GET' });
    await body.arrayBuffer();
    expectOk(statusCode, this.name);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
