/**
 * Asking the DNS benchmark's servers: whether they serve every zone, and whether they give
 * the same answers.
 */
import { query, udpQuery, type Response } from '../packages/server/test/dns-server-client.js';
import { benchZoneName } from './dns-zones.js';

/** Waits until the server at `port` answers the SOA of every bench zone. */
export async function waitServing(port: number, zones: number, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (let i = 1; i <= zones;) {
    const r = await udpQuery(port, query(benchZoneName(i), 'SOA')).catch(() => undefined);
    if (r?.rcode === 'NOERROR' && r.answers?.length) {
      i++;
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${what} never served ${benchZoneName(i)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The data of the first answer, if any. */
export const firstData = (r: Response): unknown => {
  const a = r.answers?.[0];
  return a && 'data' in a ? a.data : undefined;
};

/** Answers as a comparable string: rcode and the answer section, order aside. */
function answerKey(r: Response): string {
  const answers = (r.answers ?? []).map((a) =>
    JSON.stringify([
      a.name.toLowerCase(),
      a.type,
      'ttl' in a ? a.ttl : 0,
      'data' in a ? a.data : null,
    ]),
  );
  return `${r.rcode} ${answers.sort().join(' ')}`;
}

/** Asks both servers every query (`name type`); returns those answered differently. */
export async function compareAnswers(
  queries: string[],
  ours: number,
  knot: number,
): Promise<{ asked: number; differ: string[] }> {
  const differ: string[] = [];
  const queue = [...queries];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let line = queue.shift(); line; line = queue.shift()) {
        const [name, type] = line.split(' ') as [string, 'A'];
        const [a, b] = await Promise.all([
          udpQuery(ours, query(name, type)),
          udpQuery(knot, query(name, type)),
        ]);
        if (answerKey(a) !== answerKey(b))
          differ.push(`${line}: ${answerKey(a)} / ${answerKey(b)}`);
      }
    }),
  );
  return { asked: queries.length, differ };
}
