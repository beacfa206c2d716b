import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the contracts from source, so they need no build first.
const alias = {
  '@swiftcloud/contracts': fileURLToPath(
    new URL('./packages/contracts/src/index.ts', import.meta.url),
  ),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: ['packages/web/**', '**/node_modules/**'],
        },
      },
      {
        // The web console's own logic (money, errors, cost preview, polling), in a DOM.
        resolve: { alias },
        test: {
          name: 'web',
          include: ['packages/web/src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['packages/server/test/**/*.test.ts'],
          globalSetup: ['packages/server/test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The console in Debian's Chromium against the real, built server.
        test: {
          name: 'browser',
          include: ['packages/web/e2e/**/*.test.ts'],
          globalSetup: ['packages/web/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Each file runs a server and a browser: one file at a time on small machines.
          fileParallelism: false,
        },
      },
    ],
  },
});
