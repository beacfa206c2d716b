import { WebSocket, type RawData } from 'ws';
import type { ConsoleUpstream } from './console-upstream.js';
import { NoneSecurityGreeting, RfbHandshakeError } from './rfb-handshake.js';
import type { VncChannel } from './vnc-channel.js';

/** Bytes queued towards the viewer beyond which the VNC server is paused until they drain. */
const HIGH_WATER_MARK = 4 * 1024 * 1024;

/** Websocket close codes the viewer sees (RFC 6455 §7.4.1). */
export const CLOSE = { normal: 1000, protocolError: 1002 } as const;

const CONSOLE_CLOSED = 'The console closed (the VM stopped, or its node ended the session)';

/**
 * Relays one console session: binary frames from the viewer's websocket to the VNC server
 * and the VNC server's bytes back as binary frames. Whichever side is faster is paused while
 * the other's buffer is full; when either side closes, so does the other (a VM that stops or
 * is deleted closes its VNC server, which ends the session). When the proxy authenticated
 * upstream itself, it first plays the handshake towards the viewer with security None.
 * Resolves when the session is over.
 */
export function relayConsole(viewer: WebSocket, upstream: ConsoleUpstream): Promise<void> {
  const { channel } = upstream;
  return new Promise<void>((resolve) => {
    let over = false;
    const finish = (code: number, reason: string) => {
      if (over) return;
      over = true;
      channel.close();
      if (viewer.readyState === WebSocket.OPEN) viewer.close(code, reason);
      else viewer.terminate();
      resolve();
    };
    channel.onceClosed(() => finish(CLOSE.normal, CONSOLE_CLOSED));
    viewer.once('close', () => finish(CLOSE.normal, ''));
    viewer.once('error', () => finish(CLOSE.protocolError, 'Websocket error'));

    const startRelay = (fromViewer: Buffer) => {
      if (fromViewer.length > 0) channel.write(fromViewer);
      viewerToUpstream(viewer, channel);
      upstreamToViewer(channel, viewer);
    };

    if (!upstream.authenticated) {
      startRelay(Buffer.alloc(0));
      return;
    }
    const greeting = new NoneSecurityGreeting();
    const onGreeting = (data: RawData) => {
      try {
        const { reply, done, rest } = greeting.feed(toBuffer(data));
        if (reply.length > 0) viewer.send(reply, { binary: true });
        if (!done) return;
        viewer.off('message', onGreeting);
        startRelay(rest);
      } catch (err) {
        const reason = err instanceof RfbHandshakeError ? err.message : 'RFB handshake failed';
        finish(CLOSE.protocolError, reason.slice(0, 120));
      }
    };
    viewer.on('message', onGreeting);
    viewer.send(greeting.hello, { binary: true });
  });
}

function viewerToUpstream(viewer: WebSocket, channel: VncChannel): void {
  viewer.on('message', (data: RawData) => {
    if (channel.write(toBuffer(data))) return;
    viewer.pause();
    channel.onceDrained(() => viewer.resume());
  });
}

function upstreamToViewer(channel: VncChannel, viewer: WebSocket): void {
  channel.onData((chunk, release) => {
    if (viewer.readyState !== WebSocket.OPEN) return release();
    if (viewer.bufferedAmount + chunk.length < HIGH_WATER_MARK) {
      // The chunk's memory goes back to the channel once the frame is written out.
      viewer.send(chunk, { binary: true }, release);
      return;
    }
    // The viewer's side is full: wait until this frame (and all before it) is written out.
    channel.pause();
    viewer.send(chunk, { binary: true }, () => {
      release();
      channel.resume();
    });
  });
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
