// Driver `axios`: axios 1.x on Node's http module with a keep-alive agent, the configuration a
// typical service uses. Proxy variables from the environment are ignored so every row is loopback.
import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { expectOk, type Driver, type DriverTarget } from '../driver';

/** `axios.get(url)` through an `http.Agent({ keepAlive: true, maxSockets: connections })`. */
export class AxiosDriver implements Driver {
  readonly name = 'axios';
  private agent: http.Agent | undefined;
  private client: AxiosInstance | undefined;
  private url = '';

  async setup(target: DriverTarget): Promise<void> {
    this.url = target.url;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: target.connections });
    this.client = axios.create({
      httpAgent: this.agent,
      proxy: false,
      responseType: 'arraybuffer',
      validateStatus: () => true,
    });
  }

  async request(): Promise<void> {
    const response = await this.client!.get(this.url);
    expectOk(response.status, this.name);
  }

  async close(): Promise<void> {
    this.agent?.destroy();
  }
}
