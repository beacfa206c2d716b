/**
 * The DNS benchmark's child processes (the app, knotd, dnsperf), so that every one is
 * stopped when the benchmark ends, fails or is interrupted.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const STOP_GRACE_MS = 5_000;

export class ChildProcesses {
  private readonly running = new Set<ChildProcess>();

  constructor() {
    // Last resort, synchronous: whatever is still running when this process exits.
    process.once('exit', () => {
      for (const child of this.running) child.kill('SIGKILL');
    });
  }

  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess {
    const child = spawn(command, args, options);
    this.running.add(child);
    child.once('exit', () => this.running.delete(child));
    child.once('error', () => this.running.delete(child));
    return child;
  }

  /** SIGTERM, then SIGKILL if it has not exited after a grace period. */
  async stop(child: ChildProcess): Promise<void> {
    if (!this.running.has(child)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((child) => this.stop(child)));
  }
}

export interface DnsperfRow {
  server: string;
  queriesPerSecond: number;
  sent: number;
  lost: number;
  averageLatencyMs: number;
  maxLatencyMs: number;
  responseCodes: string;
}

export interface Load {
  seconds: number;
  clients: number;
  outstanding: number;
}

/** Runs dnsperf with `queries` against 127.0.0.1:`port` and reads its summary. */
export async function dnsperf(
  children: ChildProcesses,
  port: number,
  queries: string,
  load: Load,
  label: string,
): Promise<DnsperfRow> {
  const args = [
    ['-s', '127.0.0.1'],
    ['-p', String(port)],
    ['-d', queries],
    ['-l', String(load.seconds)],
    ['-c', String(load.clients)],
    ['-q', String(load.outstanding)],
    ['-t', '2'],
  ].flat();
  const child = children.spawn('dnsperf', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`dnsperf exited with ${code}: ${stderr}${stdout}`);
  const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? NaN);
  return {
    server: label,
    queriesPerSecond: Math.round(num(/Queries per second:\s+([\d.]+)/)),
    sent: num(/Queries sent:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    averageLatencyMs: Math.round(num(/Average Latency \(s\):\s+([\d.]+)/) * 1e6) / 1000,
    maxLatencyMs: Math.round(num(/Average Latency \(s\):.*max ([\d.]+)/) * 1e6) / 1000,
    responseCodes: /Response codes:\s+(.*)/.exec(stdout)?.[1] ?? '',
  };
}
