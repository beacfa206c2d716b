import type { z } from 'zod';
import { ApiError, errorFromResponse } from './errors';

export type Query = Record<string, string | number | boolean | null | undefined>;

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface ApiClientOptions {
  /** Where the API lives; empty for the same origin, as the server serves the console. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Called when the API says the session is gone (401), so the app can ask to sign in. */
  onUnauthorized?: () => void;
}

/**
 * The console's one way to the API: same-origin requests with the session cookie, the CSRF
 * token on every write, responses parsed by the contracts' zod schemas, failures as ApiError.
 */
export class ApiClient {
  private csrfToken: string | null = null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  onUnauthorized: (() => void) | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.onUnauthorized = options.onUnauthorized;
  }

  /** The token from sign-in, sign-up or /auth/me, sent as X-CSRF-Token on writes. */
  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private async send(method: Method, path: string, query?: Query, body?: unknown) {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, query), {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK_ERROR', 'SwiftCloud could not be reached');
    }
    if (!response.ok) {
      const error = await errorFromResponse(response);
      if (error.status === 401 && !path.startsWith('/v1/auth/')) this.onUnauthorized?.();
      throw error;
    }
    return response;
  }

  private async parse<S extends z.ZodType>(response: Response, schema: S): Promise<z.output<S>> {
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new ApiError(response.status, 'UNEXPECTED_RESPONSE', 'The answer was not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(
        response.status,
        'UNEXPECTED_RESPONSE',
        `The answer did not have the expected shape (${parsed.error.issues[0]?.path.join('.') ?? 'body'})`,
      );
    }
    return parsed.data;
  }

  async get<S extends z.ZodType>(path: string, schema: S, query?: Query): Promise<z.output<S>> {
    return this.parse(await this.send('GET', path, query), schema);
  }

  async post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    return this.parse(await this.send('POST', path, undefined, body ?? {}), schema);
  }

  async patch<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    return this.parse(await this.send('PATCH', path, undefined, body), schema);
  }

  async put<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    return this.parse(await this.send('PUT', path, undefined, body), schema);
  }

  /** A write answered by 204 No Content. */
  async command(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> {
    await this.send(method, path, undefined, body);
  }

  /** A text answer (the zone file). */
  async text(path: string): Promise<string> {
    return (await this.send('GET', path)).text();
  }
}
