import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_dns.js';

/** Every migration, in order. Append new ones; never edit or reorder. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_dns': m0002,
};
