import { projectResponse } from '@swiftcloud/contracts';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './client';
import { ApiError, describeError, formErrors } from './errors';

const project = {
  id: '3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c',
  name: 'Shop',
  description: '',
  createdAt: '2024-01-01T00:00:00Z',
  resourceCount: 0,
  balance: '100.00',
  currency: 'ZMW',
  role: 'owner',
};

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function fakeFetch(answer: () => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return answer();
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const header = (init: RequestInit, name: string) =>
  (init.headers as Record<string, string>)[name] ?? null;

describe('the API client', () => {
  it('sends the CSRF token on writes and never on reads', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { data: project }));
    const api = new ApiClient({ fetch });
    api.setCsrfToken('csrf-1');
    await api.get('/v1/projects/x', projectResponse);
    await api.patch('/v1/projects/x', { name: 'Shop' }, projectResponse);
    expect(header(calls[0]!.init, 'x-csrf-token')).toBeNull();
    expect(header(calls[1]!.init, 'x-csrf-token')).toBe('csrf-1');
    expect(header(calls[1]!.init, 'content-type')).toBe('application/json');
    expect(calls[1]!.init.body).toBe('{"name":"Shop"}');
    expect(calls[1]!.init.credentials).toBe('same-origin');
  });

  it('parses answers with the contract schema', async () => {
    const { fetch } = fakeFetch(() => json(200, { data: project }));
    const { data } = await new ApiClient({ fetch }).get('/v1/projects/x', projectResponse);
    expect(data.balance).toBe('100.00');
  });

  it('refuses an answer that does not match the contract', async () => {
    const { fetch } = fakeFetch(() => json(200, { data: { ...project, balance: 100 } }));
    const error = await new ApiClient({ fetch })
      .get('/v1/projects/x', projectResponse)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('UNEXPECTED_RESPONSE');
    expect((error as ApiError).message).toContain('data.balance');
  });

  it('turns the error envelope into an ApiError with its field details', async () => {
    const { fetch } = fakeFetch(() =>
      json(400, {
        error: {
          code: 'VALIDATION_ERROR',
          message: 'ttl must be at least 60 seconds',
          details: [
            { field: 'ttl', message: 'ttl must be at least 60 seconds' },
            { field: 'ttl', message: 'second message for ttl' },
            { field: 'content', message: 'content must be an IPv4 address' },
          ],
        },
      }),
    );
    const error = (await new ApiClient({ fetch })
      .post('/v1/domains/x/records', {}, projectResponse)
      .catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(400);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.fieldErrors()).toEqual({
      ttl: 'ttl must be at least 60 seconds',
      content: 'content must be an IPv4 address',
    });
  });

  it('reads Retry-After on 429 and says when to try again', async () => {
    const { fetch } = fakeFetch(() =>
      json(
        429,
        { error: { code: 'RATE_LIMITED', message: 'Too many failed sign-ins', details: [] } },
        { 'retry-after': '600' },
      ),
    );
    const error = (await new ApiClient({ fetch })
      .post('/v1/auth/login', {}, projectResponse)
      .catch((e: unknown) => e)) as ApiError;
    expect(error.retryAfter).toBe(600);
    expect(describeError(error)).toBe('Too many failed sign-ins. Try again in 10 minutes.');
  });

  it('reports a failed connection as a network error in words', async () => {
    const api = new ApiClient({
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
    });
    const error = await api.get('/v1/projects', projectResponse).catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('NETWORK_ERROR');
    expect(describeError(error)).toMatch(/could not be reached/);
  });

  it('reports a non-JSON error page without crashing', async () => {
    const { fetch } = fakeFetch(
      () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const error = (await new ApiClient({ fetch })
      .get('/v1/projects', projectResponse)
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('UNEXPECTED_RESPONSE');
    expect(describeError(error)).toMatch(/status 502/);
  });

  it('tells the app when the session is gone, but not for a failed sign-in', async () => {
    const { fetch } = fakeFetch(() =>
      json(401, { error: { code: 'UNAUTHORIZED', message: 'Sign in', details: [] } }),
    );
    const onUnauthorized = vi.fn();
    const api = new ApiClient({ fetch, onUnauthorized });
    await api.post('/v1/auth/login', {}, projectResponse).catch(() => undefined);
    expect(onUnauthorized).not.toHaveBeenCalled();
    await api.get('/v1/projects', projectResponse).catch(() => undefined);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('leaves empty query values out of the URL', () => {
    const api = new ApiClient();
    expect(api.url('/v1/admin/users', { email: '', page: 2, per_page: undefined })).toBe(
      '/v1/admin/users?page=2',
    );
  });
});

describe('form error placement', () => {
  const error = new ApiError(400, 'VALIDATION_ERROR', 'name must not be empty', [
    { field: 'name', message: 'name must not be empty' },
    { field: 'project_id', message: 'Must be a UUID' },
  ]);

  it("puts each message next to its field and the rest in the form's summary", () => {
    expect(formErrors(error, ['name', 'content'])).toEqual({
      fields: { name: 'name must not be empty' },
      summary: 'Must be a UUID',
    });
  });

  it('shows an error without details as the summary', () => {
    const conflict = new ApiError(409, 'CONFLICT', 'The project still holds 1 VM');
    expect(formErrors(conflict, ['name'])).toEqual({
      fields: {},
      summary: 'The project still holds 1 VM',
    });
  });

  it('has no summary when every message found its field', () => {
    expect(formErrors(error, ['name', 'project_id']).summary).toBeNull();
  });
});
