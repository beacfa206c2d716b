import type { VmStatusName } from '@swiftcloud/contracts';
import { statusLabel, vmIsBusyStatus } from '../lib/vm-status';

export function StatusBadge({ status }: { status: VmStatusName }) {
  return (
    <span className={`badge status-${status}`}>
      {vmIsBusyStatus(status) ? <span className="spinner" aria-hidden="true" /> : null}
      {statusLabel(status)}
    </span>
  );
}
