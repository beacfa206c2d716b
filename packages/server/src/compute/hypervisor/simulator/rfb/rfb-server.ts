import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { RfbSession, type RfbDisplay } from './rfb-session.js';

/** Enough for a few browser tabs and the console proxy; more clients are turned away. */
const MAX_CLIENTS = 16;

/** An RFB (VNC) server for one display, on a port the OS picks. */
export class RfbServer {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly host: string,
    readonly port: number,
  ) {}

  static async listen(display: RfbDisplay, host: string): Promise<RfbServer> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      if (sockets.size >= MAX_CLIENTS) {
        socket.destroy();
        return;
      }
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      new RfbSession(socket, display);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: 0 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new RfbServer(server, sockets, host, (server.address() as AddressInfo).port);
  }

  /** How many clients are connected. */
  get clients(): number {
    return this.sockets.size;
  }

  /** Stops listening and drops every client. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
