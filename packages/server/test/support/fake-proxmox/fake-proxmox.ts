import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { selfSignedCertificate, type SelfSignedCertificate } from './certificate.js';
import { FakeHttpError, handlers, type Handler, type TaskPlay } from './handlers.js';
import { lockTimeoutMessage, NodeState } from './node-state.js';
import { ApiSchema, checkParams, type Match } from './schema.js';
import { FakeVncSession } from './vnc-server.js';

/**
 * A fake Proxmox VE node over HTTPS (a self-signed certificate made at start) that checks
 * every request against the official API schema — path, method, required and unknown
 * parameters, types, enums, patterns, ranges, formats — and plays VMs and task lifecycles.
 * A request that breaks the schema is answered 400 and recorded in `violations`; tests
 * assert there are none.
 */

export type Fault =
  | TaskPlay
  | { kind: 'http'; status: number; message: string }
  /** HTTP 500 with Proxmox's "can't lock file … got timeout". */
  | { kind: 'lock-timeout' }
  /** The connection is dropped without an answer. */
  | { kind: 'reset' }
  /** The answer comes after `ms`. */
  | { kind: 'hang'; ms: number };

export interface FaultRule {
  method?: string;
  /** Tested against the request's path under /api2/json. */
  path: RegExp;
  times: number;
  fault: Fault;
}

export interface RecordedRequest {
  method: string;
  /** The path under /api2/json, as sent (still percent-encoded). */
  path: string;
  /** The schema path it matched. */
  template?: string;
  headers: IncomingMessage['headers'];
  /** The body as it came on the wire. */
  rawBody: string;
  /** Query and body parameters, decoded once (as Proxmox decodes them). */
  params: Record<string, string>;
}

export interface FakeProxmoxOptions {
  nodeName?: string;
  /** How long a task runs unless a fault says otherwise. */
  taskMs?: number;
  /** Plays the Proxmox versions whose vncwebsocket refuses API-token sessions. */
  vncWebsocketRefusesTokens?: boolean;
}

export const TEMPLATE_VMID = 9000;
export const TEMPLATE_NAME = 'ubuntu-2404-cloud';

export class FakeProxmox {
  readonly violations: string[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly state: NodeState;
  readonly tokenId = 'swiftcloud@pve!driver';
  readonly tokenSecret = randomUUID();
  readonly consoleUser = { username: 'console@pve', password: 'console-only-secret' };
  /** Completed websocket upgrades (the console path a test took). */
  readonly websockets: { vmid: number; identity: string }[] = [];
  /** The VNC sessions behind those websockets (whether the client passed VNC Authentication). */
  readonly vncSessions: FakeVncSession[] = [];
  private readonly websocketServer = new WebSocketServer({ noServer: true });
  private readonly faults: FaultRule[] = [];
  private readonly sessions = new Map<string, { user: string; csrf: string }>();
  private readonly vncTickets = new Map<string, { vmid: number; user: string; port: number }>();
  private readonly server: https.Server;
  readonly certificate: SelfSignedCertificate;
  url = '';

  private constructor(
    private readonly schema: ApiSchema,
    private readonly options: Required<FakeProxmoxOptions>,
  ) {
    this.state = new NodeState(options.nodeName);
    this.state.addTemplate(TEMPLATE_VMID, TEMPLATE_NAME);
    this.certificate = selfSignedCertificate();
    this.server = https.createServer(
      { key: this.certificate.key, cert: this.certificate.cert },
      (req, res) => void this.onRequest(req, res),
    );
    this.server.on('upgrade', (req, socket, head) => void this.onUpgrade(req, socket, head));
  }

  static async start(
    options: FakeProxmoxOptions = {},
    schema = new ApiSchema(),
  ): Promise<FakeProxmox> {
    const fake = new FakeProxmox(schema, {
      nodeName: options.nodeName ?? 'pve1',
      taskMs: options.taskMs ?? 20,
      vncWebsocketRefusesTokens: options.vncWebsocketRefusesTokens ?? false,
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `https://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The node's credentials as an administrator would enter them (trusting this fake by fingerprint). */
  credentials(extra: Record<string, string> = {}): Record<string, string> {
    return {
      tokenId: this.tokenId,
      tokenSecret: this.tokenSecret,
      nodeName: this.options.nodeName,
      fingerprint256: this.certificate.fingerprint256,
      ...extra,
    };
  }

  /** The next `times` requests matching the rule meet the fault. */
  inject(rule: Omit<FaultRule, 'times'> & { times?: number }): void {
    this.faults.push({ times: 1, ...rule });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  close(): Promise<void> {
    for (const client of this.websocketServer.clients) client.terminate();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const checked = this.check(req, rawBody);
    if ('status' in checked) return send(res, checked.status, checked.message, null);
    const { match, params, identity } = checked;
    const fault = this.takeFault(req.method ?? '', checked.path);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'hang') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === 'http') return send(res, fault.status, fault.message, null);
    if (fault?.kind === 'lock-timeout') {
      return send(res, 500, lockTimeoutMessage(match.pathParams.vmid ?? 0), null);
    }
    const handler = this.handlerFor(`${req.method} ${match.template}`);
    if (!handler) {
      this.violations.push(`${req.method} ${match.template}: valid, but the fake does not play it`);
      return send(res, 501, `Method '${req.method} ${match.template}' not implemented`, null);
    }
    this.state.settle();
    try {
      const data = handler({
        state: this.state,
        params,
        identity,
        taskMs: this.options.taskMs,
        play: fault && fault.kind !== 'hang' ? fault : undefined,
        vncTickets: this.vncTickets,
      });
      send(res, 200, 'OK', data);
    } catch (err) {
      if (!(err instanceof FakeHttpError)) throw err;
      send(res, err.status, err.message, null);
    }
  }

  /** The schema check and authentication every request passes first. */
  private check(
    req: IncomingMessage,
    rawBody: string,
  ):
    | { status: number; message: string }
    | { match: Match; params: Record<string, string>; identity: string; path: string } {
    const method = req.method ?? '';
    const url = new URL(req.url ?? '/', 'https://fake');
    const record: RecordedRequest = { method, path: '', headers: req.headers, rawBody, params: {} };
    this.requests.push(record);
    const violation = (message: string) => {
      this.violations.push(`${method} ${url.pathname}: ${message}`);
      return { status: 400, message: `Parameter verification failed. ${message}` };
    };
    if (!url.pathname.startsWith('/api2/json/')) return violation('not under /api2/json');
    const path = url.pathname.slice('/api2/json'.length);
    record.path = path;
    const match = this.schema.match(method, path);
    if (typeof match === 'string') return violation(match);
    record.template = match.template;

    const params: Record<string, string> = {};
    const sources: [string, URLSearchParams][] = [['query', url.searchParams]];
    if (method === 'POST' || method === 'PUT') {
      const type = req.headers['content-type'] ?? '';
      if (rawBody && !type.startsWith('application/x-www-form-urlencoded')) {
        return violation(`body sent as ${type || 'no content type'}, not form-encoded`);
      }
      sources.push(['body', new URLSearchParams(rawBody)]);
    } else if (rawBody) {
      return violation(`a ${method} carries no body`);
    }
    for (const [, values] of sources) {
      for (const [key, value] of values) {
        if (key in params) return violation(`${key} given twice`);
        params[key] = value;
      }
    }
    for (const [key, value] of Object.entries(match.pathParams)) {
      if (key in params) return violation(`${key} given in the path and again as a parameter`);
      params[key] = value;
    }
    record.params = params;
    const problems = checkParams(match.method, params);
    if (problems.length > 0) return violation(problems.join('; '));

    const identity = this.authenticate(req, method, match);
    if (typeof identity !== 'string') return identity;
    return { match, params, identity, path };
  }

  private authenticate(
    req: IncomingMessage,
    method: string,
    match: Match,
  ): string | { status: number; message: string } {
    if (method === 'POST' && match.template === '/access/ticket') return '';
    const authorization = req.headers.authorization ?? '';
    if (authorization) {
      if (authorization !== `PVEAPIToken=${this.tokenId}=${this.tokenSecret}`) {
        return { status: 401, message: 'authentication failure' };
      }
      if (match.method.allowtoken !== 1) {
        return { status: 401, message: 'API tokens may not call this' };
      }
      return this.tokenId;
    }
    const cookie = /(?:^|;\s*)PVEAuthCookie=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const session = cookie ? this.sessions.get(decodeURIComponent(cookie)) : undefined;
    if (!session) return { status: 401, message: 'No ticket' };
    if (method !== 'GET' && req.headers.csrfpreventiontoken !== session.csrf) {
      return { status: 401, message: 'Permission check failed (invalid CSRF prevention token)' };
    }
    // The console-only user holds VM.Console and nothing else.
    if (!/\/(vncproxy|vncwebsocket)$/.test(match.template)) {
      return { status: 403, message: 'Permission check failed (/vms, VM.Audit)' };
    }
    return session.user;
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const rule = this.faults.find(
      (r) => r.times > 0 && (!r.method || r.method === method) && r.path.test(path),
    );
    if (!rule) return undefined;
    rule.times -= 1;
    return rule.fault;
  }

  /** POST /access/ticket is answered here (it needs the fake's users). */
  private login(params: Record<string, string>): unknown {
    const { username, password } = this.consoleUser;
    if (params.username !== username || params.password !== password) {
      throw new FakeHttpError(401, 'authentication failure');
    }
    const ticket = this.state.newTicket(`PVE:${username}`);
    const csrf = `${randomUUID()}:${randomUUID()}`;
    this.sessions.set(ticket, { user: username, csrf });
    return { ticket, CSRFPreventionToken: csrf, username };
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, message: string) => {
      socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\n\r\n`);
    };
    const checked = this.check(req, '');
    if ('status' in checked) return refuse(checked.status, checked.message);
    const { match, params, identity } = checked;
    if (match.template !== '/nodes/{node}/qemu/{vmid}/vncwebsocket') {
      return refuse(400, 'no websocket here');
    }
    if (identity === this.tokenId && this.options.vncWebsocketRefusesTokens) {
      return refuse(401, 'permission denied - invalid PVE ticket');
    }
    const ticket = this.vncTickets.get(params.vncticket ?? '');
    const vmid = Number(params.vmid);
    if (
      !ticket ||
      ticket.user !== identity ||
      ticket.vmid !== vmid ||
      ticket.port !== Number(params.port)
    ) {
      return refuse(401, 'permission denied - invalid vncticket');
    }
    const password = params.vncticket ?? '';
    this.vncTickets.delete(password);
    this.websockets.push({ vmid, identity });
    // The VM's VNC server (QEMU) behind the websocket, with the vncproxy ticket as its password.
    this.websocketServer.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      this.vncSessions.push(new FakeVncSession(ws, password, this.state.vms.get(vmid)?.name ?? ''));
    });
  }

  /** `${METHOD} ${schema path}` → what the node does; logging in needs this fake's users. */
  private handlerFor(key: string): Handler | undefined {
    if (key === 'POST /access/ticket') return (ctx) => this.login(ctx.params);
    return handlers[key];
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, message: string, data: unknown): void {
  // Proxmox puts its message in the status line (one line) and repeats it in the body.
  const reason = message.replace(/[\r\n]+/g, ' ');
  const body = JSON.stringify(status === 200 ? { data } : { data: null, message: `${message}\n` });
  res.writeHead(status, reason, { 'Content-Type': 'application/json;charset=UTF-8' });
  res.end(body);
}
