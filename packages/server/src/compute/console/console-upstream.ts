import type { ConsoleEndpoint } from '../hypervisor/port.js';
import { authenticateUpstream } from './rfb-handshake.js';
import { connectTcp, connectWebSocket, type VncChannel } from './vnc-channel.js';

/** A connection to a VM's VNC server, ready for the viewer. */
export interface ConsoleUpstream {
  channel: VncChannel;
  /**
   * True when the proxy has done the RFB security handshake with the VNC server itself
   * (it needed a password): the viewer then gets security None from the proxy.
   */
  authenticated: boolean;
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
  const channel =
    endpoint.kind === 'rfb'
      ? await connectTcp(endpoint.host, endpoint.port, timeoutMs)
      : await connectWebSocket(endpoint.url, endpoint.headers, endpoint.tls, timeoutMs);
  if (endpoint.password === undefined) return { channel, authenticated: false };
  const timer = setTimeout(() => channel.close(), timeoutMs);
  try {
    await authenticateUpstream(channel, endpoint.password);
    return { channel, authenticated: true };
  } catch (err) {
    channel.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
