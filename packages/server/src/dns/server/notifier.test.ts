import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { makeZone } from '../../../test/dns-server-fixtures.js';
import { silentLog } from './dns-log.js';
import { Notifier } from './notifier.js';
import { ZoneStore } from './zone-store.js';

const soa = new ZoneStore().replace(makeZone('example.co.zm', 42, [])).soa;
const sockets: dgram.Socket[] = [];

/** A secondary on loopback that answers each NOTIFY with `rcode` once `answerFrom` have come. */
async function secondary(rcode: number, answerFrom = 1) {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  const received: Buffer[] = [];
  socket.on('message', (message, from) => {
    received.push(message);
    if (received.length < answerFrom) return;
    const q = dnsPacket.decode(message);
    socket.send(
      dnsPacket.encode({
        id: q.id,
        type: 'response',
        flags: (4 << 11) | rcode,
        questions: q.questions,
      }),
      from.port,
      from.address,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { endpoint: { host: '127.0.0.1', port: socket.address().port }, received };
}

afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

describe('Notifier', () => {
  it('retries with backoff until the secondary answers', async () => {
    const s = await secondary(0, 3);
    const notifier = new Notifier([s.endpoint], silentLog, { attempts: 5, firstTimeoutMs: 30 });
    expect(await notifier.notify(soa)).toEqual(['acknowledged']);
    expect(s.received).toHaveLength(3);
  });

  it('reports a refusal without retrying, and gives up on silence after the attempts', async () => {
    const refusing = await secondary(5);
    const silent = await secondary(0, Number.POSITIVE_INFINITY);
    const notifier = new Notifier([refusing.endpoint, silent.endpoint], silentLog, {
      attempts: 3,
      firstTimeoutMs: 20,
    });
    expect(await notifier.notify(soa)).toEqual(['refused', 'unanswered']);
    expect(refusing.received).toHaveLength(1);
    expect(silent.received).toHaveLength(3);
  });

  it('cancels an older NOTIFY for the same zone when a newer one starts', async () => {
    const silent = await secondary(0, Number.POSITIVE_INFINITY);
    const notifier = new Notifier([silent.endpoint], silentLog, {
      attempts: 3,
      firstTimeoutMs: 50,
    });
    const first = notifier.notify(soa);
    await new Promise((r) => setTimeout(r, 10));
    const second = notifier.notify(soa);
    expect(await first).toEqual(['cancelled']);
    notifier.stop();
    expect(await second).toEqual(['cancelled']);
  });
});
