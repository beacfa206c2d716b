import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_dns.js';
import * as m0003 from './0003_jobs.js';
import * as m0004 from './0004_compute.js';
import * as m0005 from './0005_simulator.js';
import * as m0006 from './0006_vms.js';
import * as m0007 from './0007_billing.js';

/** Every migration, in order. Append new ones; never edit or reorder. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_dns': m0002,
  '0003_jobs': m0003,
  '0004_compute': m0004,
  '0005_simulator': m0005,
  '0006_vms': m0006,
  '0007_billing': m0007,
};
