import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/**
 * Lints source texts with the repository's own eslint.config.mjs, each as if it were the file at `path`, and
 * returns the messages of typescript-eslint's no-restricted-imports per text. ESLint runs in a child process
 * (it loads its ESM configuration with a dynamic import, which Jest's CommonJS cannot); texts go in on stdin.
 */
function restrictedImports(files: { path: string; text: string }[]): string[][] {
  const program = `
    const { ESLint } = require('eslint');
    let input = '';
    process.stdin.on('data', (chunk) => (input += chunk)).on('end', async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const found = [];
      for (const file of JSON.parse(input)) {
        const [result] = await eslint.lintText(file.text, { filePath: file.path });
        found.push(result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(found));
    });`;
  const run = spawnSync(process.execPath, ['-e', program], {
    cwd: ROOT,
    input: JSON.stringify(files),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`eslint did not run: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

const controller = (text: string) => ({ path: 'apps/api/src/fixture/fixture.controller.ts', text });

describe('controllers never touch the database (ESLint)', () => {
  it('fails a controller that imports TypeORM or @inbox/database, passes one that calls a service', () => {
    const forbidden = [
      `import { DataSource } from 'typeorm';\nexport const c = DataSource;`,
      `import { type EntityManager } from 'typeorm';\nexport type M = EntityManager;`,
      `import { InjectRepository } from '@nestjs/typeorm';\nexport const r = InjectRepository;`,
      `import { Transactions } from '@inbox/database';\nexport const t = Transactions;`,
      `import { queryRows } from '../../../../libs/database/src/sql';\nexport const q = queryRows;`,
    ].map(controller);
    const allowed = [
      controller(`import { StaffUsers } from '@inbox/access';\nexport const s = StaffUsers;`),
      // A service beside the controllers may compose libraries, the database's health included.
      {
        path: 'apps/api/src/fixture/fixture.service.ts',
        text: `export { DatabaseHealth } from '@inbox/database';`,
      },
    ];
    const results = restrictedImports([...forbidden, ...allowed]);
    for (const messages of results.slice(0, forbidden.length)) {
      expect(messages).toEqual([expect.stringContaining('Controllers call services, never the database')]);
    }
    expect(results.slice(forbidden.length)).toEqual([[], []]);
  });
});
