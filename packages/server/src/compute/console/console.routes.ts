import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { consoleResponse, consoleWsQuery, idParams } from '@swiftcloud/contracts';
import { principalOf } from '../../auth/principal.js';
import { ValidationFailed } from '../../platform/errors.js';
import { responses } from '../../platform/routes.js';
import { relayConsole } from './console-relay.js';
import type { ConsoleUpstream } from './console-upstream.js';
import type { ConsoleService } from './console.service.js';

const tags = ['vms'];

export function consoleRoutes({ consoles }: { consoles: ConsoleService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/vms/:id/console',
      {
        schema: {
          tags,
          summary: "Open a VM's console",
          description:
            "A single-use ticket (valid 60 seconds, for you and this VM) and the URL of SwiftCloud's console websocket, which carries the VM's screen as RFB (VNC). Needs write access to the VM's project (viewers may not) and a running VM.",
          params: idParams,
          response: responses({ 200: consoleResponse }),
        },
      },
      async (request) => ({ data: await consoles.open(principalOf(request), request.params.id) }),
    );

    /** The VNC connection made before the upgrade, waiting for its websocket. */
    const connected = new WeakMap<FastifyRequest, ConsoleUpstream>();
    app.route({
      method: 'GET',
      url: '/vms/:id/console/ws',
      // The ticket authenticates: browsers cannot put an Authorization header on a websocket.
      config: { access: 'public' },
      schema: {
        tags,
        summary: "The VM's console websocket (RFB over binary frames)",
        description:
          'Open with a websocket upgrade and the ticket from GET /v1/vms/{id}/console. A refused ticket is answered before the upgrade: 401 unknown, used or expired; 403 issued to another user; 409 the VM is not running; 503 the console cannot be reached. Once open, the proxy offers RFB security type None (it authenticates to the hypervisor itself) and closes with 1000 when the VM stops.',
        params: idParams,
        querystring: consoleWsQuery,
        response: responses({}),
      },
      // Everything that can refuse the console happens before the upgrade, so the browser
      // gets an HTTP status rather than a websocket that opens and closes.
      preHandler: async (request) => {
        if (!request.ws) {
          throw new ValidationFailed(
            'This URL is a websocket: open it with an Upgrade: websocket request',
          );
        }
        const upstream = await consoles.connect(
          request.params.id,
          request.query.ticket,
          request.principal,
        );
        connected.set(request, upstream);
        // A viewer that leaves before the upgrade completes must not leave the VNC connection open.
        request.raw.socket.once('close', () => upstream.channel.close());
      },
      handler: async () => {
        throw new ValidationFailed(
          'This URL is a websocket: open it with an Upgrade: websocket request',
        );
      },
      wsHandler: async (socket, request) => {
        const upstream = connected.get(request);
        connected.delete(request);
        if (!upstream) return socket.close(1011, 'No console connection');
        await relayConsole(socket, upstream);
      },
    });
  };
}
