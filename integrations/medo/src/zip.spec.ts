import yazl from 'yazl';
import { cp866Zip, traversalZip, zipBuffer } from '../../../test/fakes/medo/packages';
import { PackageRejected } from './errors';
import { readZip, safeEntryName, type ZipLimits } from './zip';

const LIMITS: ZipLimits = { maxEntries: 10, maxTotalBytes: 10 * 1024 * 1024, maxRatio: 100 };

async function rejection(promise: Promise<unknown>): Promise<PackageRejected> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PackageRejected);
  return error as PackageRejected;
}

describe('readZip', () => {
  it('reads every file with its bytes intact, skipping directory entries', async () => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('паспорт'), 'passport.xml');
    zip.addEmptyDirectory('sub');
    zip.addBuffer(Buffer.from([0, 1, 2, 255]), 'sub/Письмо.pdf');
    const buffer = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      zip.outputStream
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', () => resolve(Buffer.concat(chunks)));
      zip.end();
    });
    const files = await readZip(buffer, LIMITS);
    expect(files.map((f) => f.name)).toEqual(['passport.xml', 'sub/Письмо.pdf']);
    expect(files[1].data).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('decodes CP866 names of archives without the UTF-8 flag', async () => {
    const files = await readZip(
      await cp866Zip([{ name: 'Обращение гражданина.pdf', data: Buffer.from('x') }]),
      LIMITS,
    );
    expect(files.map((f) => f.name)).toEqual(['Обращение гражданина.pdf']);
  });

  it.each([
    '../evil.txt',
    '../../etc/cron.d/evil',
    '/etc/passwd',
    'C:/Windows/evil',
    'a/../../evil',
    '..\\evil.txt',
  ])('refuses the entry name %s', async (name) => {
    const error = await rejection(readZip(await traversalZip([], name), LIMITS));
    expect(error.code).toBe('path-traversal');
  });

  it('refuses too many entries before reading any', async () => {
    const files = Array.from({ length: 11 }, (_v, i) => ({ name: `${i}.txt`, data: Buffer.from('x') }));
    expect((await rejection(readZip(await zipBuffer(files), LIMITS))).code).toBe('too-many-files');
  });

  it('refuses an entry that expands too far, and archives over the total', async () => {
    const dense = await zipBuffer([{ name: 'zeros.bin', data: Buffer.alloc(5 * 1024 * 1024) }]);
    expect((await rejection(readZip(dense, LIMITS))).code).toBe('zip-bomb');
    const stored = await zipBuffer([{ name: 'big.bin', data: Buffer.alloc(2 * 1024 * 1024, 7) }], {
      compress: false,
    });
    expect((await rejection(readZip(stored, { ...LIMITS, maxTotalBytes: 1024 * 1024 }))).code).toBe(
      'zip-bomb',
    );
    await expect(readZip(stored, LIMITS)).resolves.toHaveLength(1);
  });

  it('refuses damaged archives and duplicate names', async () => {
    expect((await rejection(readZip(Buffer.from('PK not really'), LIMITS))).code).toBe('bad-zip');
    const twice = await zipBuffer([
      { name: 'a.pdf', data: Buffer.from('1') },
      { name: 'A.pdf', data: Buffer.from('2') },
    ]);
    expect((await rejection(readZip(twice, LIMITS))).code).toBe('bad-zip');
  });
});

describe('safeEntryName', () => {
  it('normalises harmless names', () => {
    expect(safeEntryName('./a//b\\c.pdf')).toBe('a/b/c.pdf');
  });
});
