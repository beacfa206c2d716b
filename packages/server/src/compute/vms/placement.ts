import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

export interface Placement {
  nodeId: string;
  nodeName: string;
}

export interface VmFootprint {
  memoryMiB: number;
  diskGiB: number;
}

/**
 * The node for a new VM: among the active nodes that have the template, the one with the
 * most free memory that also has the disk. What a node has free is its configured size less
 * what SwiftCloud's live VMs take (`nodes.used_*`, kept with every placement and deletion),
 * so the choice reads one row per node and calls no hypervisor. Undefined when none fits.
 * The choice holds nothing: `reserveOnNode` makes it stick.
 */
export async function chooseNode(
  tx: Db,
  want: { templateId: string } & VmFootprint,
): Promise<Placement | undefined> {
  const best = await tx
    .selectFrom('nodes as n')
    .innerJoin('template_sources as ts', 'ts.node_id', 'n.id')
    .select(['n.id', 'n.name'])
    .where('ts.template_id', '=', want.templateId)
    .where('n.active', '=', true)
    .where(sql<boolean>`n.memory_mib - n.used_memory_mib >= ${want.memoryMiB}`)
    .where(sql<boolean>`n.disk_gib - n.used_disk_gib >= ${want.diskGiB}`)
    .orderBy(sql`n.memory_mib - n.used_memory_mib`, 'desc')
    .orderBy('n.name')
    .limit(1)
    .executeTakeFirst();
  return best && { nodeId: best.id, nodeName: best.name };
}

/**
 * Reserves the VM's memory and disk on the node, when they still fit: a conditional UPDATE,
 * so two transactions placing VMs at once never overfill a node (the second re-reads the
 * row after the first commits). Called last in the transaction that records the VM, so
 * the node's row is locked only from here to the commit. False when the node filled up
 * since `chooseNode`.
 */
export async function reserveOnNode(tx: Db, nodeId: string, vm: VmFootprint): Promise<boolean> {
  const reserved = await tx
    .updateTable('nodes')
    .set({
      used_memory_mib: sql<number>`used_memory_mib + ${vm.memoryMiB}`,
      used_disk_gib: sql<number>`used_disk_gib + ${vm.diskGiB}`,
    })
    .where('id', '=', nodeId)
    .where(sql<boolean>`memory_mib - used_memory_mib >= ${vm.memoryMiB}`)
    .where(sql<boolean>`disk_gib - used_disk_gib >= ${vm.diskGiB}`)
    .executeTakeFirst();
  return Number(reserved.numUpdatedRows) > 0;
}

/** Gives back what a deleted VM took of its node, in the transaction that deletes it. */
export async function releasePlacement(tx: Db, nodeId: string, vm: VmFootprint): Promise<void> {
  await tx
    .updateTable('nodes')
    .set({
      used_memory_mib: sql<number>`greatest(0, used_memory_mib - ${vm.memoryMiB})`,
      used_disk_gib: sql<number>`greatest(0, used_disk_gib - ${vm.diskGiB})`,
    })
    .where('id', '=', nodeId)
    .execute();
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
