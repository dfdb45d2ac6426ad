/**
 * The page's side of the backend-signer pattern: the page never holds AWS
 * keys. The WebSocket URL is presigned by the example server, and control-plane
 * calls go through the server, which signs them with its own `RequestSigner`
 * and forwards them (so neither the secret key nor a session token reaches the
 * page, and no CORS set-up is needed on the endpoint).
 * @packageDocumentation
 */

/** A request as the client's `RequestSigner.signRequest` receives it. @public */
export interface PageHttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The `RequestSigner` shape of `@kvs-sig/client` (and of the official SDK, via `getSignedURL`). @public */
export interface BackendRequestSigner {
  getSignedUrl(wssEndpoint: string, queryParams: Record<string, string>, date?: Date): Promise<string>;
  /** The official KVS JS SDK's spelling of the same method. */
  getSignedURL(wssEndpoint: string, queryParams: Record<string, string>, date?: Date): Promise<string>;
  signRequest(request: PageHttpRequest, date?: Date): Promise<PageHttpRequest>;
}

async function postJson<T>(url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      const parsed = JSON.parse(text) as { message?: string };
      if (parsed.message) message = parsed.message;
    } catch {
      // Not JSON: keep the text as the message.
    }
    throw new Error(`${url}: ${response.status} ${message}`);
  }
  return JSON.parse(text) as T;
}

/**
 * A `RequestSigner` whose keys live on the example server (`base` is its origin,
 * default the page's). `signRequest` leaves the request unsigned on purpose: the
 * server's proxy (see {@link createProxyFetch}) signs it on the way out.
 * @public
 */
export function createBackendSigner(base = ''): BackendRequestSigner {
  const getSignedUrl = async (wssEndpoint: string, queryParams: Record<string, string>, date?: Date): Promise<string> => {
    const reply = await postJson<{ url: string }>(`${base}/api/presign`, {
      endpoint: wssEndpoint,
      queryParams,
      ...(date ? { date: date.toISOString() } : {}),
    });
    return reply.url;
  };
  return {
    getSignedUrl,
    getSignedURL: getSignedUrl,
    signRequest: async (request) => request,
  };
}

/** The subset of a `fetch` response the client reads. @public */
export interface ProxyResponse {
  status: number;
  headers: Headers;
  text(): Promise<string>;
}

/**
 * A `fetch` for the client that sends each control-plane call to the example
 * server, which signs and forwards it.
 * @public
 */
export function createProxyFetch(base = '') {
  return async (
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
  ): Promise<ProxyResponse> => {
    const reply = await postJson<{ status: number; headers: Record<string, string>; body: string }>(
      `${base}/api/aws`,
      { url, method: init.method, headers: init.headers, body: init.body ?? '' },
      init.signal,
    );
    return { status: reply.status, headers: new Headers(reply.headers), text: async () => reply.body };
  };
}
