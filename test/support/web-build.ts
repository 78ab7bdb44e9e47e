import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const WEB = join(ROOT, 'apps', 'web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/** `npm test` builds first; a direct jest run builds the SPA here when it is missing or stale. */
export function ensureWebBuilt(): void {
  const index = join(WEB, 'dist', 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(WEB, 'src'))) return;
  execFileSync(
    process.execPath,
    [
      join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'),
      'build',
      '--config',
      join(WEB, 'vite.config.ts'),
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
}
