import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

export const ADMIN = { email: 'admin@swiftcloud.test', password: 'admin passphrase 1' };

export interface RunningServer {
  url: string;
  dnsPort: number;
  stop(): Promise<void>;
}

/** A port nothing listens on now (TCP; the DNS server takes the same number for UDP). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`SwiftCloud exited early:\n${log()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`SwiftCloud did not become ready:\n${log()}`);
}

/**
 * The real SwiftCloud (the built `main.js`, as `npm start` runs it) on the embedded database
 * in a fresh directory, on loopback ports of its own, with a platform administrator.
 */
export async function startServer(settings: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'swiftcloud-e2e-'));
  const port = await freePort();
  const dnsPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(root, 'packages/server/dist/main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      SWIFTCLOUD_PUBLIC_URL: url,
      SWIFTCLOUD_DATA_DIR: dataDir,
      SWIFTCLOUD_DNS_HOST: '127.0.0.1',
      SWIFTCLOUD_DNS_PORT: String(dnsPort),
      // Nameserver checks never leave the machine.
      SWIFTCLOUD_DNS_ROOT_SERVERS: '127.0.0.1:9',
      SWIFTCLOUD_ADMIN_EMAIL: ADMIN.email,
      SWIFTCLOUD_ADMIN_PASSWORD: ADMIN.password,
      SWIFTCLOUD_LOG_LEVEL: 'warn',
      ...settings,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitUntilReady(url, child, () => output);
  return {
    url,
    dnsPort,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
