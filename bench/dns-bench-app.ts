/**
 * The SwiftCloud side of the DNS benchmark as seen from the driver: the app child process
 * (dns-bench-server.ts) and a small client of its HTTP API.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ChildProcesses } from './dns-bench-processes.js';

export interface StartedApp {
  httpPort: number;
  dnsPort: number;
  token: string;
  projectId: string;
  seedMs: number;
  stop(): Promise<void>;
}

/** Starts the app on a fresh database in `dataDir` and waits until it is seeded and serving. */
export async function startApp(
  children: ChildProcesses,
  options: { dataDir: string; zones: number },
): Promise<StartedApp> {
  const child: ChildProcess = children.spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/dns-bench-server.ts'],
    {
      env: {
        ...process.env,
        SWIFTCLOUD_DATA_DIR: options.dataDir,
        BENCH_ZONES: String(options.zones),
      },
      // stdin stays open: the child stops when it closes, should this process die.
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith('{"httpPort"')) {
      return { ...JSON.parse(line), stop: () => children.stop(child) };
    }
  }
  throw new Error('the SwiftCloud bench server exited before it was ready');
}

interface DomainView {
  id: string;
  name: string;
}
interface RecordView {
  id: string;
  name: string;
  type: string;
  content: string;
}

/** The app's HTTP API, authenticated with a bearer session token. */
export class ApiClient {
  constructor(
    private readonly port: number,
    private readonly token: string,
  ) {}

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    }
    return response;
  }

  private async list<T>(path: string): Promise<T[]> {
    const all: T[] = [];
    for (let page = 1; ; page++) {
      const separator = path.includes('?') ? '&' : '?';
      const response = await this.request('GET', `${path}${separator}per_page=100&page=${page}`);
      const { data, meta } = (await response.json()) as { data: T[]; meta: { total: number } };
      all.push(...data);
      if (data.length === 0 || all.length >= meta.total) return all;
    }
  }

  allDomains(projectId: string): Promise<DomainView[]> {
    return this.list(`/v1/domains?project_id=${projectId}`);
  }

  async zoneFile(domainId: string): Promise<string> {
    return (await this.request('GET', `/v1/domains/${domainId}/zone`)).text();
  }

  async findRecord(domainId: string, name: string, type: string): Promise<RecordView> {
    const records = await this.list<RecordView>(`/v1/domains/${domainId}/records`);
    const found = records.find((r) => r.name === name && r.type === type);
    if (!found) throw new Error(`no ${name} ${type} record in domain ${domainId}`);
    return found;
  }

  async updateRecord(domainId: string, recordId: string, body: object): Promise<void> {
    await this.request('PATCH', `/v1/domains/${domainId}/records/${recordId}`, body);
  }
}
