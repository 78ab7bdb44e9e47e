import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenAPIObject } from '@nestjs/swagger';

/** Where the staff workspace keeps the types generated from the api's OpenAPI document. */
export const WEB_API_TYPES_PATH = join('apps', 'web', 'src', 'api', 'schema.gen.ts');

/**
 * The web client's API types from the document, by openapi-typescript's own CLI (the package is ESM-only;
 * running its CLI keeps this CommonJS code and jest free of ESM loading). Deterministic for one document.
 */
export function webApiTypes(document: OpenAPIObject, root = process.cwd()): string {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    const input = join(dir, 'openapi.json');
    writeFileSync(input, JSON.stringify(document));
    const cli = join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    return execFileSync(process.execPath, [cli, input, '--alphabetize', '--default-non-nullable', 'false'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
