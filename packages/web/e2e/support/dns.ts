import { createSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';

/** Asks SwiftCloud's DNS server (UDP, loopback) for the A records of a name. */
export async function queryA(port: number, name: string): Promise<string[]> {
  const socket = createSocket('udp4');
  const id = Math.floor(Math.random() * 65_535);
  try {
    const answer = await new Promise<dnsPacket.Packet>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no DNS answer for ${name}`)), 3_000);
      socket.once('message', (message) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(message));
      });
      socket.send(
        dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] }),
        port,
        '127.0.0.1',
      );
    });
    return (answer.answers ?? [])
      .filter((a) => a.type === 'A')
      .map((a) => (a as { data: string }).data);
  } finally {
    socket.close();
  }
}
