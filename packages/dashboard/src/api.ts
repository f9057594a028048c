// The admin API as the page reads it: JSON GETs relative to the page (the dashboard is served at
// /dashboard/ by the API itself), an optional bearer token (from `#token=…` or the token form,
// kept in sessionStorage), and a polling hook that refreshes every two seconds.
import { useEffect, useState } from 'preact/hooks';

/** How often every view refreshes. */
export const POLL_MS = 2000;
const TOKEN_KEY = 'inboard-token';

/** The token to send, if the user gave one. */
export function currentToken(): string | undefined {
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash)?.[1];
  if (fromHash) sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromHash));
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** Remembers a token for this tab. */
export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
}

/** An error the API answered with ({ code, message }). */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** GET `path` (absolute API path) as JSON. */
export async function getJson<T>(path: string): Promise<T> {
  const token = currentToken();
  const res = await fetch(new URL(`..${path}`, location.href), { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const text = await res.text();
  if (!res.ok) {
    let body: { code?: string; message?: string } = {};
    try { body = JSON.parse(text); } catch { /* not JSON */ }
    throw new ApiFailure(res.status, body.code ?? 'HTTP_ERROR', body.message ?? `${res.status} ${res.statusText}`);
  }
  return JSON.parse(text) as T;
}

/** The latest answer of a polled GET (undefined until the first), and the last error. */
export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: ApiFailure | Error | undefined;
  readonly updatedAt: number | undefined;
}

/** Polls `path` every POLL_MS while the component is mounted (`null` path: nothing). */
export function usePolled<T>(path: string | null): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: undefined, updatedAt: undefined });
  useEffect(() => {
    if (path === null) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const data = await getJson<T>(path);
        if (!stopped) setState({ data, error: undefined, updatedAt: Date.now() });
      } catch (error) {
        if (!stopped) setState((s) => ({ ...s, error: error as Error }));
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [path]);
  return state;
}
