export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as-is instead of JSON (to test malformed bodies). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

let counter = 0;

/** A small HTTP client for the integration tests: real requests over loopback. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly defaults: Record<string, string> = {},
  ) {}

  /** The same client, sending `Authorization: Bearer <token>`. */
  as(token: string): ApiClient {
    return new ApiClient(this.baseUrl, { ...this.defaults, authorization: `Bearer ${token}` });
  }

  /** The same client, with extra headers on every request. */
  with(headers: Record<string, string>): ApiClient {
    return new ApiClient(this.baseUrl, { ...this.defaults, ...headers });
  }

  async request<T = any>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.defaults, ...opts.headers };
    let body: string | Buffer | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if (text && res.headers.get('content-type')?.includes('application/json'))
      parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get<T = any>(path: string, opts?: RequestOptions) {
    return this.request<T>('GET', path, opts);
  }
  post<T = any>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('POST', path, { ...opts, body });
  }
  patch<T = any>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('PATCH', path, { ...opts, body });
  }
  delete<T = any>(path: string, opts?: RequestOptions) {
    return this.request<T>('DELETE', path, opts);
  }
}

export interface SignedUpUser {
  id: string;
  email: string;
  password: string;
  token: string;
  csrfToken: string;
  /** A client that sends this user's session as a bearer token. */
  api: ApiClient;
}

/** Registers a fresh account and answers its session. */
export async function signUp(api: ApiClient, name = 'Test User'): Promise<SignedUpUser> {
  counter += 1;
  const email = `user${counter}-${Math.random().toString(36).slice(2, 8)}@example.co.zm`;
  const password = 'correct horse battery';
  const res = await api.post('/v1/auth/register', { email, password, name });
  if (res.status !== 201)
    throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { token, csrfToken, user } = res.body.data;
  return { id: user.id, email, password, token, csrfToken, api: api.as(token) };
}
