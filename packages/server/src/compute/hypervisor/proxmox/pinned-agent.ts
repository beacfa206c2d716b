import type { RequestOptions } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { TlsTrust } from '../port.js';

/** `AA:BB:…` or `aabb…`, as Proxmox shows it and as Node reports it, compared in one shape. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').trim().toUpperCase();
}

/** Why a node's certificate was refused (the request never left this process). */
export class CertificateRejected extends Error {
  override name = 'CertificateRejected';
}

/**
 * An HTTPS agent that trusts a node the way its administrator said: the system CAs, a given
 * CA (for self-signed nodes), or exactly one certificate by its SHA-256 fingerprint. With a
 * fingerprint, the socket is handed to the request only after the certificate matched, so
 * no header (and no API token) is written to an unverified peer.
 */
export function agentFor(trust: TlsTrust): https.Agent {
  const fingerprint = trust.fingerprint256 ? normalizeFingerprint(trust.fingerprint256) : null;
  if (fingerprint === null) {
    return new https.Agent({ keepAlive: true, maxSockets: 8, ca: trust.ca || undefined });
  }
  return new FingerprintAgent(fingerprint);
}

class FingerprintAgent extends https.Agent {
  constructor(private readonly fingerprint: string) {
    // The chain is not checked against any CA: the pinned fingerprint is the trust.
    super({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false });
  }

  override createConnection(
    options: RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | undefined {
    const socket = tls.connect({
      ...(options as tls.ConnectionOptions),
      rejectUnauthorized: false,
    });
    // On failure the (destroyed) socket goes with the error: the agent's callback wants one.
    const onError = (err: Error) => callback?.(err, socket);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const presented = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
      if (presented !== this.fingerprint) {
        socket.destroy();
        callback?.(
          new CertificateRejected(
            `the node's certificate fingerprint ${presented} is not the pinned ${this.fingerprint}`,
          ),
          socket,
        );
        return;
      }
      callback?.(null, socket);
    });
    return undefined;
  }
}
