import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import type { ConsoleUpstream } from './console-upstream.js';
import { NoneSecurityGreeting, RfbHandshakeError } from './rfb-handshake.js';

/** Bytes queued towards the viewer beyond which the VNC server is paused until they drain. */
const HIGH_WATER_MARK = 1024 * 1024;

/** Websocket close codes the viewer sees (RFC 6455 §7.4.1). */
export const CLOSE = { normal: 1000, protocolError: 1002, internalError: 1011 } as const;

/**
 * Relays one console session: binary frames from the viewer's websocket to the VNC server
 * and the VNC server's bytes back as binary frames. Whichever side is faster is paused while
 * the other's buffer is full; when either side closes, so does the other (a VM that stops or
 * is deleted closes its VNC server, which ends the session). When the proxy authenticated
 * upstream itself, it first plays the handshake towards the viewer with security None.
 * Resolves when the session is over.
 */
export function relayConsole(viewer: WebSocket, upstream: ConsoleUpstream): Promise<void> {
  const { stream } = upstream;
  return new Promise<void>((resolve) => {
    let over = false;
    const finish = (code: number, reason: string) => {
      if (over) return;
      over = true;
      stream.destroy();
      if (viewer.readyState === WebSocket.OPEN) viewer.close(code, reason);
      else viewer.terminate();
      resolve();
    };
    stream.once('close', () =>
      finish(CLOSE.normal, 'The console closed (the VM stopped, or its node ended the session)'),
    );
    stream.once('end', () =>
      finish(CLOSE.normal, 'The console closed (the VM stopped, or its node ended the session)'),
    );
    viewer.once('close', () => finish(CLOSE.normal, ''));
    viewer.once('error', () => finish(CLOSE.protocolError, 'Websocket error'));

    const startRelay = (fromViewer: Buffer) => {
      if (upstream.pending.length > 0) viewer.send(upstream.pending, { binary: true });
      if (fromViewer.length > 0) stream.write(fromViewer);
      viewerToUpstream(viewer, stream);
      upstreamToViewer(stream, viewer);
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

function viewerToUpstream(viewer: WebSocket, stream: Duplex): void {
  viewer.on('message', (data: RawData) => {
    if (stream.write(toBuffer(data))) return;
    viewer.pause();
    stream.once('drain', () => viewer.resume());
  });
}

function upstreamToViewer(stream: Duplex, viewer: WebSocket): void {
  stream.on('data', (chunk: Buffer) => {
    if (viewer.readyState !== WebSocket.OPEN) return;
    if (viewer.bufferedAmount + chunk.length < HIGH_WATER_MARK) {
      viewer.send(chunk, { binary: true });
      return;
    }
    // The viewer's side is full: wait until this frame (and all before it) is written out.
    stream.pause();
    viewer.send(chunk, { binary: true }, () => stream.resume());
  });
  stream.resume();
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
