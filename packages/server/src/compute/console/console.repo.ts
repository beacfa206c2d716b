import type { Db } from '../../db/database.js';
import { vmsRepo } from '../vms/vms.repo.js';

/** What the console needs of a VM. */
export interface ConsoleVm {
  id: string;
  projectId: string;
  status: string;
  nodeId: string;
  nodeName: string;
  hypervisorId: number;
}

/** The VM as the VMs module reads it, and console tickets (only their SHA-256 is stored). */
export class ConsoleRepo {
  constructor(private readonly db: Db) {}

  /** A VM that has not been deleted, with its node's name. */
  async findVm(id: string): Promise<ConsoleVm | undefined> {
    const vm = await vmsRepo.find(this.db, id);
    if (!vm) return undefined;
    const node = await this.db
      .selectFrom('nodes')
      .select('name')
      .where('id', '=', vm.node_id)
      .executeTakeFirstOrThrow();
    return {
      id: vm.id,
      projectId: vm.project_id,
      status: vm.status,
      nodeId: vm.node_id,
      nodeName: node.name,
      hypervisorId: vm.hypervisor_id,
    };
  }

  /** Stores a new ticket, and drops tickets that expired more than a day before `now`. */
  async createTicket(ticket: {
    hash: string;
    vmId: string;
    userId: string;
    expiresAt: Date;
    now: Date;
  }): Promise<void> {
    await this.db
      .deleteFrom('vm_console_tickets')
      .where('expires_at', '<', new Date(ticket.now.getTime() - 86_400_000))
      .execute();
    await this.db
      .insertInto('vm_console_tickets')
      .values({
        ticket_hash: ticket.hash,
        vm_id: ticket.vmId,
        user_id: ticket.userId,
        expires_at: ticket.expiresAt,
        used_at: null,
        created_at: ticket.now,
      })
      .execute();
  }

  /**
   * Uses a ticket for this VM, once: one statement marks it used only if it is unused and
   * unexpired, so two connections racing with the same ticket cannot both win. Answers
   * the user it was issued to, or undefined.
   */
  async consumeTicket(hash: string, vmId: string, now: Date): Promise<string | undefined> {
    const row = await this.db
      .updateTable('vm_console_tickets')
      .set({ used_at: now })
      .where('ticket_hash', '=', hash)
      .where('vm_id', '=', vmId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id;
  }
}
