import type { ProjectRole } from '@swiftcloud/contracts';

export function roleLabel(role: ProjectRole): string {
  return { owner: 'Owner', member: 'Member', viewer: 'Viewer' }[role];
}

/** What each role may do, as the API decides it; the console hides what it would refuse. */
export function can(role: ProjectRole) {
  return {
    write: role === 'owner' || role === 'member',
    manage: role === 'owner',
  };
}
