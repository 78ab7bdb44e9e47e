import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
/** Production code: every lib but this one, and the apps that run in production. */
const PRODUCTION = [
  ...fs
    .readdirSync(path.join(ROOT, 'libs'))
    .filter((lib) => lib !== 'demo')
    .map((lib) => path.join('libs', lib, 'src')),
  'apps/api/src',
  'apps/worker/src',
  'apps/cli/src',
  'apps/classifier/src',
  'integrations',
];

function sources(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, encoding: 'utf8' }).flatMap((name) => {
    const file = path.join(dir, name);
    return /\.ts$/.test(name) && !/\.spec\.ts$/.test(name) && !file.includes('node_modules') ? [file] : [];
  });
}

describe('demo data stays out of production code', () => {
  it('no production source imports @inbox/demo or libs/demo', () => {
    const offenders = PRODUCTION.flatMap(sources).filter((file) =>
      /from ['"](@inbox\/demo|[./]+(libs\/)?demo(\/src)?)['"/]/.test(
        fs.readFileSync(path.join(ROOT, file), 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('finds the sources it checks', () => {
    expect(PRODUCTION.flatMap(sources).length).toBeGreaterThan(100);
  });
});
