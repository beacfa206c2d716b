import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { HypervisorError, type TlsTrust } from '../port.js';
import { agentFor, CertificateRejected } from './pinned-agent.js';

/** A parameter as Proxmox's API takes it: booleans go as 0/1, everything as text. */
export type ProxmoxParam = string | number | boolean | undefined;
export type ProxmoxParams = Record<string, ProxmoxParam>;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** How a request authenticates: the API token, or a session ticket (console-only user). */
export type ProxmoxAuth =
  | { kind: 'token'; tokenId: string; secret: string }
  | { kind: 'ticket'; ticket: string; csrfToken: string }
  | { kind: 'none' };

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ProxmoxClientOptions {
  /** `https://pve1.example:8006` */
  endpoint: string;
  tls: TlsTrust;
  requestTimeoutMs: number;
  retry: RetryPolicy;
}

/** An answer from the node other than 2xx, with Proxmox's own message. */
export class ProxmoxHttpError extends HypervisorError {
  constructor(
    readonly status: number,
    message: string,
    transient: boolean,
    readonly errors?: Record<string, string>,
  ) {
    super(message, transient, errors ? JSON.stringify(errors) : undefined);
  }
}

/** Proxmox's words for a config lock it could not take in time; the same call later may pass. */
export const LOCK_TIMEOUT = /can't lock file .* got timeout/i;
/** Proxmox's words for a VM that does not exist (it answers 500, not 404). */
export const NO_SUCH_VM = /Configuration file '[^']*' does not exist|no such VM/i;

const TRANSIENT_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

/** The wait before retry number `retry` (from 1): doubling from the base, capped, with jitter. */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  const doubled = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(doubled / 2 + (Math.random() * doubled) / 2);
}

/**
 * A thin client of the Proxmox VE HTTP API (`/api2/json`): form-encoded parameters, the
 * `{data}` envelope unwrapped, a timeout on every call and bounded retries with backoff for
 * what may pass later (connection refused or reset, 5xx, Proxmox lock timeouts). Errors are
 * HypervisorErrors that say whether they are transient.
 */
export class ProxmoxClient {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(
    private readonly options: ProxmoxClientOptions,
    private readonly auth: ProxmoxAuth,
  ) {
    this.base = new URL(options.endpoint);
    this.agent = agentFor(options.tls);
  }

  /** The same node, the same trust, another identity (the console-only user's ticket). */
  withAuth(auth: ProxmoxAuth): ProxmoxClient {
    return new ProxmoxClient(this.options, auth);
  }

  /** The URL of an API path on this node (`/nodes/pve1/...` → `https://host:8006/api2/json/nodes/pve1/...`). */
  url(path: string): URL {
    return new URL(`/api2/json${path}`, this.base);
  }

  /** The headers that authenticate a request as this client's identity. */
  authHeaders(method: HttpMethod = 'GET'): Record<string, string> {
    switch (this.auth.kind) {
      case 'token':
        return { Authorization: `PVEAPIToken=${this.auth.tokenId}=${this.auth.secret}` };
      case 'ticket':
        return {
          Cookie: `PVEAuthCookie=${encodeURIComponent(this.auth.ticket)}`,
          ...(method === 'GET' ? {} : { CSRFPreventionToken: this.auth.csrfToken }),
        };
      case 'none':
        return {};
    }
  }

  /** Calls the API, retrying what is transient; answers the envelope's `data`. */
  async call<T>(method: HttpMethod, path: string, params: ProxmoxParams = {}): Promise<T> {
    const { attempts } = this.options.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.once(method, path, params)) as T;
      } catch (err) {
        if (!(err instanceof HypervisorError) || !err.transient || attempt >= attempts) throw err;
        await sleep(backoffMs(this.options.retry, attempt));
      }
    }
  }

  private once(method: HttpMethod, path: string, params: ProxmoxParams): Promise<unknown> {
    const url = this.url(path);
    const form = formEncode(params);
    const inQuery = method === 'GET' || method === 'DELETE';
    if (inQuery && form) url.search = form;
    const body = !inQuery ? form : '';
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...this.authHeaders(method),
      ...(!inQuery
        ? {
            'Content-Type': 'application/x-www-form-urlencoded',
            'Content-Length': String(Buffer.byteLength(body)),
          }
        : {}),
    };
    const what = `${method} ${path}`;
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => reject(networkError(what, err)));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve(unwrap(what, res.statusCode ?? 0, res.statusMessage ?? '', text));
          } catch (err) {
            reject(err);
          }
        });
      });
      const timer = setTimeout(() => {
        req.destroy(
          new HypervisorError(
            `${what}: no answer within ${this.options.requestTimeoutMs} ms`,
            true,
          ),
        );
      }, this.options.requestTimeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(networkError(what, err));
      });
      req.end(body);
    });
  }
}

/** `application/x-www-form-urlencoded` with %20 for spaces (never `+`); undefined is left out. */
export function formEncode(params: ProxmoxParams): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => {
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      return `${encodeURIComponent(key)}=${encodeURIComponent(text)}`;
    })
    .join('&');
}

function unwrap(what: string, status: number, reason: string, text: string): unknown {
  let parsed: { data?: unknown; message?: string; errors?: Record<string, string> } = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    if (status >= 200 && status < 300) {
      throw new HypervisorError(`${what}: the node answered something that is not JSON`, true);
    }
  }
  if (status >= 200 && status < 300) return parsed.data ?? null;
  // Proxmox puts its message in the status line; newer versions repeat it in the body.
  const message = (parsed.message ?? reason).trim() || `HTTP ${status}`;
  const transient =
    !NO_SUCH_VM.test(message) && (status >= 500 || status === 429 || LOCK_TIMEOUT.test(message));
  throw new ProxmoxHttpError(status, `${what}: ${status} ${message}`, transient, parsed.errors);
}

function networkError(what: string, err: Error): HypervisorError {
  if (err instanceof HypervisorError) return err;
  if (err instanceof CertificateRejected) {
    return new HypervisorError(`${what}: ${err.message}`, false);
  }
  const code = (err as NodeJS.ErrnoException).code ?? '';
  // A certificate the configured CA does not vouch for will not change on its own.
  const certificate = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
  return new HypervisorError(
    `${what}: ${code || err.message}${code && err.message ? ` (${err.message})` : ''}`,
    !certificate && (TRANSIENT_NETWORK.has(code) || code === ''),
  );
}
