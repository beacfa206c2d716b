import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The browser tests drive what a customer runs: the built server and the built console.
 * Build both once (tsc's build is incremental, Vite's takes seconds).
 */
export default function setup(): void {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
