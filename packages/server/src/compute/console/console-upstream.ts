import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, createWebSocketStream } from 'ws';
import type { ConsoleEndpoint } from '../hypervisor/port.js';
import { agentFor } from '../hypervisor/proxmox/pinned-agent.js';
import { authenticateUpstream } from './rfb-handshake.js';

/** A connection to a VM's VNC server, ready for the viewer. */
export interface ConsoleUpstream {
  /** The RFB byte stream (a TCP socket, or a hypervisor websocket's messages as bytes). */
  stream: Duplex;
  /**
   * True when the proxy has done the RFB security handshake with the VNC server itself
   * (it needed a password): the viewer then gets security None from the proxy.
   */
  authenticated: boolean;
  /** Bytes the VNC server sent beyond the handshake, still due to the viewer. */
  pending: Buffer;
}

/**
 * Opens the VNC server behind a console endpoint: a TCP socket for `rfb`, a websocket client
 * for `websocket` (with the endpoint's headers and TLS trust: CA or pinned fingerprint). When
 * the endpoint has a password, the RFB handshake with it is done here, so that the password
 * stays in this process. Gives up after `timeoutMs`.
 */
export async function openUpstream(
  endpoint: ConsoleEndpoint,
  timeoutMs: number,
): Promise<ConsoleUpstream> {
  const stream =
    endpoint.kind === 'rfb' ? await tcp(endpoint, timeoutMs) : await websocket(endpoint, timeoutMs);
  // A failed connection ends in 'close', which the relay acts on; the error itself is not news.
  stream.on('error', () => {});
  if (endpoint.password === undefined) {
    stream.pause();
    return { stream, authenticated: false, pending: Buffer.alloc(0) };
  }
  const timer = setTimeout(
    () => stream.destroy(new Error(`no RFB handshake within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    const pending = await authenticateUpstream(stream, endpoint.password);
    return { stream, authenticated: true, pending };
  } catch (err) {
    stream.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function tcp(endpoint: { host: string; port: number }, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `connecting to ${endpoint.host}:${endpoint.port} timed out after ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

function websocket(
  endpoint: Extract<ConsoleEndpoint, { kind: 'websocket' }>,
  timeoutMs: number,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    // Proxmox's vncwebsocket speaks the `binary` subprotocol.
    const client = new WebSocket(endpoint.url, ['binary'], {
      headers: endpoint.headers,
      agent: endpoint.url.startsWith('wss:') ? agentFor(endpoint.tls ?? {}) : undefined,
      handshakeTimeout: timeoutMs,
      perMessageDeflate: false,
      maxPayload: 64 * 1024 * 1024,
    });
    client.once('unexpected-response', (_req, res) => {
      client.terminate();
      reject(
        new Error(
          `the node refused the console websocket: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim(),
        ),
      );
    });
    client.on('error', reject);
    client.once('open', () => {
      client.off('error', reject);
      resolve(createWebSocketStream(client));
    });
  });
}
