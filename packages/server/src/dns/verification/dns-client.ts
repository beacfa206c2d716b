import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import type { Endpoint } from '../../config.js';

/** A decoded response; `rcode` is decoded by dns-packet but missing from its typings. */
export type DnsResponse = DecodedPacket & { rcode: string };

/** Why a query got no usable answer. */
export class DnsQueryError extends Error {
  override name = 'DnsQueryError';
}

/** Sends one question, without recursion (RD=0), to one server and returns its response. */
export interface DnsQuerier {
  query(server: Endpoint, name: string, type: RecordType): Promise<DnsResponse>;
}

export interface DnsClientOptions {
  /** How long to wait for each UDP or TCP answer. Default 2,000 ms. */
  timeoutMs?: number;
  /** The EDNS0 payload size offered over UDP. Default 1,232 (the DNS flag day value). */
  udpPayloadSize?: number;
}

/**
 * Queries over UDP, and again over TCP when the answer comes back truncated (TC).
 * A server that answers FORMERR to EDNS0 is asked once more without it.
 */
export class UdpDnsClient implements DnsQuerier {
  private readonly timeoutMs: number;
  private readonly udpPayloadSize: number;

  constructor(options: DnsClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.udpPayloadSize = options.udpPayloadSize ?? 1_232;
  }

  async query(server: Endpoint, name: string, type: RecordType): Promise<DnsResponse> {
    let response = await this.udp(server, name, type, true);
    if (response.rcode === 'FORMERR') response = await this.udp(server, name, type, false);
    if (response.flag_tc) response = await this.tcp(server, name, type);
    return response;
  }

  private request(name: string, type: RecordType, edns: boolean): Packet & { id: number } {
    return {
      type: 'query',
      id: randomInt(0, 65_536),
      flags: 0,
      questions: [{ type, name, class: 'IN' }],
      additionals: edns
        ? [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: this.udpPayloadSize,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ]
        : [],
    };
  }

  private udp(server: Endpoint, name: string, type: RecordType, edns: boolean) {
    const request = this.request(name, type, edns);
    return new Promise<DnsResponse>((resolve, reject) => {
      // A connected socket only receives datagrams from the server, and learns at once
      // (ECONNREFUSED) when nothing listens there.
      const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
      let done = false;
      const finish = (err: Error | undefined, response?: DnsResponse) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.close();
        if (err) reject(err);
        else resolve(response!);
      };
      const timer = setTimeout(
        () =>
          finish(new DnsQueryError(`no answer from ${label(server)} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      socket.on('error', (err) =>
        finish(new DnsQueryError(`cannot reach ${label(server)}: ${err.message}`)),
      );
      socket.on('message', (message) => {
        const response = decodeResponse(message);
        // Anything that is not the answer to this question is ignored; the timeout ends the wait.
        if (response && answers(response, request.id, name, type)) finish(undefined, response);
      });
      socket.connect(server.port, server.host, () => {
        socket.send(dnsPacket.encode(request), (err) => {
          if (err) finish(new DnsQueryError(`cannot send to ${label(server)}: ${err.message}`));
        });
      });
    });
  }

  private tcp(server: Endpoint, name: string, type: RecordType) {
    const request = this.request(name, type, false);
    return new Promise<DnsResponse>((resolve, reject) => {
      const socket = connect({ host: server.host, port: server.port });
      let received = Buffer.alloc(0);
      let done = false;
      const finish = (err: Error | undefined, response?: DnsResponse) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        if (err) reject(err);
        else resolve(response!);
      };
      const timer = setTimeout(
        () =>
          finish(
            new DnsQueryError(`no TCP answer from ${label(server)} within ${this.timeoutMs} ms`),
          ),
        this.timeoutMs,
      );
      socket.on('connect', () => socket.write(dnsPacket.streamEncode(request)));
      socket.on('error', (err) =>
        finish(new DnsQueryError(`cannot reach ${label(server)} over TCP: ${err.message}`)),
      );
      socket.on('close', () =>
        finish(new DnsQueryError(`${label(server)} closed the TCP connection without an answer`)),
      );
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 2) return;
        const length = received.readUInt16BE(0);
        if (received.length < 2 + length) return;
        const response = decodeResponse(received.subarray(2, 2 + length));
        if (response && answers(response, request.id, name, type)) finish(undefined, response);
        else finish(new DnsQueryError(`${label(server)} sent a TCP answer to another question`));
      });
    });
  }
}

function decodeResponse(message: Buffer): DnsResponse | undefined {
  try {
    return dnsPacket.decode(message) as DnsResponse;
  } catch {
    return undefined;
  }
}

function answers(response: DnsResponse, id: number, name: string, type: RecordType): boolean {
  if (response.id !== id || !response.flag_qr) return false;
  const question = response.questions?.[0];
  // Some servers leave the question out of REFUSED and other error answers.
  if (!question) return response.rcode !== 'NOERROR';
  return question.type === type && question.name.toLowerCase() === name.toLowerCase();
}

export function label(server: Endpoint): string {
  return isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
