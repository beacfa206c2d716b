import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the API server on the same origin; `npm run dev -w @swiftcloud/web`
// proxies the API to a server on :8080 so the session cookie and CSRF checks work unchanged.
export default defineConfig({
  plugins: [react()],
  resolve: {
    // The contracts from source: the console's build does not wait for theirs.
    alias: {
      '@swiftcloud/contracts': fileURLToPath(new URL('../contracts/src/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // noVNC awaits at module level (its WebCodecs probe).
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/v1': { target: 'http://localhost:8080', ws: true } },
  },
});
