import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

export interface Placement {
  nodeId: string;
  nodeName: string;
}

interface Candidate {
  id: string;
  name: string;
  memory_mib: number;
  disk_gib: number;
}

/**
 * Chooses the node for a new VM, inside the transaction that records it: among the active
 * nodes that have the template, the one with the most free memory that also has the disk.
 * What a node has free is its configured size less what SwiftCloud's live VMs on it take
 * (by their sizes), so the choice costs no call to any hypervisor. The chosen node's row is
 * locked before its usage is counted, so concurrent creates never overfill a node; a node
 * found full after the lock gives way to the next candidate. Undefined when none fits.
 */
export async function placeVm(
  tx: Db,
  want: { templateId: string; memoryMiB: number; diskGiB: number },
): Promise<Placement | undefined> {
  const candidates = await sql<Candidate & { free_memory: string }>`
    select n.id, n.name, n.memory_mib, n.disk_gib,
           n.memory_mib - coalesce(u.memory, 0) as free_memory
      from nodes n
      join template_sources ts on ts.node_id = n.id and ts.template_id = ${want.templateId}
      left join lateral (
        select sum(s.memory_mib) as memory
          from vms v join sizes s on s.id = v.size_id
         where v.node_id = n.id and v.deleted_at is null
      ) u on true
     where n.active
     order by free_memory desc, n.name`.execute(tx);
  for (const node of candidates.rows) {
    if (Number(node.free_memory) < want.memoryMiB) continue;
    await tx.selectFrom('nodes').select('id').where('id', '=', node.id).forUpdate().execute();
    const used = await sql<{ memory: string; disk: string }>`
      select coalesce(sum(s.memory_mib), 0) as memory, coalesce(sum(s.disk_gib), 0) as disk
        from vms v join sizes s on s.id = v.size_id
       where v.node_id = ${node.id} and v.deleted_at is null`.execute(tx);
    const usage = used.rows[0];
    const freeMemory = Number(node.memory_mib) - Number(usage?.memory ?? 0);
    const freeDisk = Number(node.disk_gib) - Number(usage?.disk ?? 0);
    if (freeMemory >= want.memoryMiB && freeDisk >= want.diskGiB) {
      return { nodeId: node.id, nodeName: node.name };
    }
  }
  return undefined;
}

/** Whether any active node has the template at all (to tell "no room" from "not offered"). */
export async function templateOffered(tx: Db, templateId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('template_sources as ts')
    .innerJoin('nodes as n', 'n.id', 'ts.node_id')
    .select('n.id')
    .where('ts.template_id', '=', templateId)
    .where('n.active', '=', true)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
