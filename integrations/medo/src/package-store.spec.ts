import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipBuffer } from '../../../test/fakes/medo/packages';
import {
  listPackages,
  moveInto,
  quarantinePackage,
  readPackageFiles,
  writePackageAtomically,
} from './package-store';

describe('package store', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'medo-store-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('lists packages oldest first, skipping work in progress and our own folders', async () => {
    await fs.mkdir(join(root, 'b_pkg'));
    await fs.writeFile(join(root, 'a.zip'), 'zip');
    await fs.mkdir(join(root, '.tmp-c'));
    await fs.writeFile(join(root, 'd.zip.part'), '');
    await fs.mkdir(join(root, 'processed'));
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(join(root, 'a.zip'), old, old);
    const list = await listPackages(root, [join(root, 'processed')]);
    expect(list.map((p) => [p.name, p.kind])).toEqual([
      ['a.zip', 'zip'],
      ['b_pkg', 'folder'],
    ]);
  });

  it('writes a package folder atomically and only once', async () => {
    const first = await writePackageAtomically(root, 'pkg', [
      { name: 'passport.xml', data: Buffer.from('<a/>') },
    ]);
    expect(first.created).toBe(true);
    const again = await writePackageAtomically(root, 'pkg', [
      { name: 'passport.xml', data: Buffer.from('<b/>') },
    ]);
    expect(again.created).toBe(false);
    expect(await fs.readFile(join(root, 'pkg', 'passport.xml'), 'utf8')).toBe('<a/>');
    expect(await fs.readdir(root)).toEqual(['pkg']);
  });

  it('does not create a missing outbound folder (an unmounted share)', async () => {
    await expect(writePackageAtomically(join(root, 'gone'), 'pkg', [])).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(await fs.readdir(root)).toEqual([]);
  });

  it('moves without overwriting, and quarantines with a reason file', async () => {
    await fs.mkdir(join(root, 'in', 'p'), { recursive: true });
    await fs.mkdir(join(root, 'done', 'p'), { recursive: true });
    const moved = await moveInto(join(root, 'in', 'p'), join(root, 'done'));
    expect(moved).toMatch(/done\/p\.\d+-[0-9a-f]{6}$/);

    await fs.writeFile(join(root, 'in', 'q.zip'), 'x');
    const at = await quarantinePackage(
      { name: 'q.zip', path: join(root, 'in', 'q.zip'), kind: 'zip', newestMtimeMs: 0 },
      join(root, 'quarantine'),
      'Причина: тест',
    );
    expect(at).toBe(join(root, 'quarantine', 'q.zip'));
    expect(await fs.readFile(join(root, 'quarantine', 'q.zip.reason.txt'), 'utf8')).toBe('Причина: тест');
  });

  it('reads a package zipped or copied with its own folder around it as that folder', async () => {
    const limits = {
      maxPackageBytes: 10_000,
      maxUnzippedBytes: 10_000,
      maxFiles: 5,
      maxCompressionRatio: 100,
    };
    const inner = 'c3a7e1f0-1b2d-4e5f-8a9b-0c1d2e3f4a5b_7c0f5d2e';
    const zipPath = join(root, `${inner}.zip`);
    await fs.writeFile(
      zipPath,
      await zipBuffer([
        { name: `${inner}/passport.xml`, data: Buffer.from('<a/>') },
        { name: `${inner}/files/Письмо.pdf`, data: Buffer.from('%PDF') },
      ]),
    );
    const zipped = await readPackageFiles(
      { name: `${inner}.zip`, path: zipPath, kind: 'zip', newestMtimeMs: 0 },
      limits,
    );
    expect(zipped.map((f) => f.name).sort()).toEqual(['files/Письмо.pdf', 'passport.xml']);

    const dir = join(root, 'pkg');
    await fs.mkdir(join(dir, inner, inner), { recursive: true });
    await fs.writeFile(join(dir, inner, inner, 'passport.xml'), '<a/>');
    const entry = { name: 'pkg', path: dir, kind: 'folder' as const, newestMtimeMs: 0 };
    expect((await readPackageFiles(entry, limits)).map((f) => f.name)).toEqual(['passport.xml']);
    // A file at the top beside a folder: the package is as it is.
    await fs.writeFile(join(dir, 'envelope.ini'), '');
    expect((await readPackageFiles(entry, limits)).map((f) => f.name).sort()).toEqual([
      `${inner}/${inner}/passport.xml`,
      'envelope.ini',
    ]);
  });

  it('refuses symbolic links and folders over the limits', async () => {
    const dir = join(root, 'pkg');
    await fs.mkdir(dir);
    await fs.writeFile(join(dir, 'a.pdf'), Buffer.alloc(100));
    const entry = { name: 'pkg', path: dir, kind: 'folder' as const, newestMtimeMs: 0 };
    const limits = { maxPackageBytes: 1000, maxUnzippedBytes: 1000, maxFiles: 5, maxCompressionRatio: 100 };
    await expect(readPackageFiles(entry, limits)).resolves.toHaveLength(1);
    await expect(readPackageFiles(entry, { ...limits, maxPackageBytes: 50 })).rejects.toMatchObject({
      code: 'too-large',
    });
    await fs.symlink('/etc/hostname', join(dir, 'b.pdf'));
    await expect(readPackageFiles(entry, limits)).rejects.toMatchObject({ code: 'symlink' });
  });
});
