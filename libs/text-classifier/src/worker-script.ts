import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The compiled JavaScript of a worker-thread script beside this module: next to it when running from
 * `dist/`, else at the same place under `dist/` (tests run the TypeScript sources after `npm run build`).
 * Undefined when neither exists.
 */
export function workerScript(name: string): string | undefined {
  const beside = path.join(__dirname, `${name}.js`);
  if (fs.existsSync(beside)) return beside;
  let root = __dirname;
  while (!fs.existsSync(path.join(root, 'package.json')) && path.dirname(root) !== root)
    root = path.dirname(root);
  const built = path.join(root, 'dist', path.relative(root, __dirname), `${name}.js`);
  return fs.existsSync(built) ? built : undefined;
}
