// productpage's `/metrics`: the original's Prometheus counter `request_result` labelled by
// destination app and response code, one counter set per app instance (no global registry).

/** Counts backend results per (destination_app, response_code) and renders Prometheus text. */
export class RequestResultCounter {
  private readonly counts = new Map<string, number>();

  /** Counts one final result of a call to `app`. */
  increment(app: string, responseCode: number): void {
    const key = `${app}\u0000${responseCode}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The current count for `app` and `responseCode`. */
  get(app: string, responseCode: number): number {
    return this.counts.get(`${app}\u0000${responseCode}`) ?? 0;
  }

  /** Prometheus text exposition (format 0.0.4). */
  render(): string {
    const lines = ['# HELP request_result_total Request Result', '# TYPE request_result_total counter'];
    const keys = [...this.counts.keys()].sort();
    for (const key of keys) {
      const [app, code] = key.split('\u0000');
      lines.push(`request_result_total{destination_app="${app}",response_code="${code}"} ${this.counts.get(key)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
