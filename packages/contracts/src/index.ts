export * from './common.js';
export * from './auth.js';
export * from './api-keys.js';
export * from './projects.js';
export * from './admin.js';
export * from './dns.js';
export * from './compute.js';
export * from './vms.js';
