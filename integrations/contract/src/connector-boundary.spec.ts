import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

interface Snippet {
  code: string;
  filePath: string;
}

/**
 * ESLint with the project's own configuration (eslint.config.mjs) on snippets placed as if they were files of
 * the repository; returns, per snippet, the messages of the import-boundary rules. One child process for all
 * (ESLint loads its ESM configuration with a dynamic import, which Jest's CommonJS cannot).
 */
function boundaryErrors(snippets: Snippet[]): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const s of JSON.parse(process.argv[1])) {
        const [result] = await eslint.lintText(s.code, { filePath: s.filePath });
        out.push(result.messages
          .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
          .map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(2); });`;
  const run = spawnSync(process.execPath, ['-e', script, JSON.stringify(snippets)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

const inLib = (code: string): Snippet => ({ code, filePath: 'libs/bot/src/fixture.ts' });

describe('libraries reach channels only through the contract (ESLint)', () => {
  it('fails a library that imports a concrete connector, by alias, by path or dynamically; passes the contract and the apps', () => {
    const forbidden = [
      `import { TelegramConnector } from '@inbox/integrations/telegram';\nexport const c = TelegramConnector;`,
      `import { type PosRubricator } from '@inbox/integrations/pos';\nexport type R = PosRubricator;`,
      `export { VkConnector } from '@inbox/integrations/vk';`,
      `import { OkConnector } from '../../../integrations/ok/src/ok.connector';\nexport const c = OkConnector;`,
      `export const load = () => import('@inbox/integrations/email');`,
    ].map(inLib);
    const allowed: Snippet[] = [
      inLib(
        `import { hasButtons, type Connector } from '@inbox/integrations/contract';\n` +
          `export const f = (c: Connector) => hasButtons(c);`,
      ),
      inLib(`import { type Channel } from '../../../integrations/contract/src';\nexport type C = Channel;`),
      {
        code: `import { CONNECTORS } from '@inbox/integrations/catalog';\nexport const c = CONNECTORS;`,
        filePath: 'apps/worker/src/fixture.ts',
      },
    ];
    const results = boundaryErrors([...forbidden, ...allowed]);
    for (const errors of results.slice(0, forbidden.length)) {
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('only through @inbox/integrations/contract');
    }
    expect(results.slice(forbidden.length)).toEqual(allowed.map(() => []));
  });
});
