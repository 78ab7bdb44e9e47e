import { randomBytes } from 'node:crypto';
import { type Dirent, promises as fs } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isNotFound, PackageRejected } from './errors';
import { type PackageFile, readZip } from './zip';

/** One package in the inbound folder: a folder, a `.zip`, or a stray file (which is not a package). */
export interface PackageEntry {
  name: string;
  path: string;
  kind: 'folder' | 'zip' | 'file';
  /** Newest modification among the package and its files: how long the gateway has left it alone. */
  newestMtimeMs: number;
}

export interface PackageLimits {
  maxPackageBytes: number;
  maxUnzippedBytes: number;
  maxFiles: number;
  maxCompressionRatio: number;
}

/** Names a gateway (or we) use for work in progress, and hidden files: never packages. */
export function isTransient(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.startsWith('~') ||
    /\.(tmp|part|partial|lock|crdownload)$/i.test(name) ||
    name.toLowerCase() === 'thumbs.db'
  );
}

/** The packages in `dir`, oldest first. `exclude` are folders of ours that may live inside it. */
export async function listPackages(dir: string, exclude: string[]): Promise<PackageEntry[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const out: PackageEntry[] = [];
  for (const entry of entries) {
    if (isTransient(entry.name)) continue;
    const path = join(dir, entry.name);
    if (exclude.includes(path)) continue;
    try {
      const stat = await fs.lstat(path);
      if (stat.isDirectory()) {
        out.push({
          name: entry.name,
          path,
          kind: 'folder',
          newestMtimeMs: await newestMtime(path, stat.mtimeMs),
        });
      } else {
        const kind = stat.isFile() && /\.zip$/i.test(entry.name) ? 'zip' : 'file';
        out.push({ name: entry.name, path, kind, newestMtimeMs: stat.mtimeMs });
      }
    } catch (error) {
      if (!isNotFound(error)) throw error; // vanished between readdir and lstat: someone else took it
    }
  }
  return out.sort((a, b) => a.newestMtimeMs - b.newestMtimeMs || a.name.localeCompare(b.name));
}

async function newestMtime(dir: string, own: number, depth = 0): Promise<number> {
  let newest = own;
  if (depth > 3) return newest;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const stat = await fs.lstat(path).catch(() => undefined);
    if (!stat) continue;
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) newest = Math.max(newest, await newestMtime(path, stat.mtimeMs, depth + 1));
  }
  return newest;
}

function tooLarge(size: number, limit: number): PackageRejected {
  return new PackageRejected(
    'too-large',
    `the package is ${size} bytes, more than the ${limit} allowed`,
    `Размер пакета ${size} байт превышает допустимые ${limit} байт`,
  );
}

function tooMany(count: number, limit: number): PackageRejected {
  return new PackageRejected(
    'too-many-files',
    `the package has more than ${limit} files (${count} so far)`,
    `В пакете более ${limit} файлов`,
  );
}

/** Reads every file of a package into memory, within the limits. */
export async function readPackageFiles(entry: PackageEntry, limits: PackageLimits): Promise<PackageFile[]> {
  if (entry.kind === 'file') {
    throw new PackageRejected(
      'not-a-package',
      'a file that is neither a package folder nor a .zip',
      'Файл не является пакетом МЭДО (ожидается каталог или архив .zip)',
    );
  }
  if (entry.kind === 'zip') {
    const stat = await fs.stat(entry.path);
    if (stat.size > limits.maxPackageBytes) throw tooLarge(stat.size, limits.maxPackageBytes);
    return unwrapped(
      await readZip(await fs.readFile(entry.path), {
        maxEntries: limits.maxFiles,
        maxTotalBytes: limits.maxUnzippedBytes,
        maxRatio: limits.maxCompressionRatio,
      }),
    );
  }

  // A folder: first size everything up (lstat only), then read.
  const found: { name: string; path: string; size: number }[] = [];
  let total = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const item of entries) {
      const path = join(dir, item.name);
      const name = relative(entry.path, path).split('\\').join('/');
      const stat = await fs.lstat(path);
      if (stat.isSymbolicLink()) {
        // A link could point anywhere on our disk; its target is never read.
        throw new PackageRejected(
          'symlink',
          `"${name}" in the package is a symbolic link`,
          `«${name}» в пакете — символическая ссылка`,
        );
      }
      if (stat.isDirectory()) {
        if (depth < 3) await walk(path, depth + 1);
        continue;
      }
      if (!stat.isFile() || isTransient(item.name)) continue;
      found.push({ name, path, size: stat.size });
      total += stat.size;
      if (found.length > limits.maxFiles) throw tooMany(found.length, limits.maxFiles);
      if (total > limits.maxPackageBytes) throw tooLarge(total, limits.maxPackageBytes);
    }
  };
  await walk(entry.path, 0);
  const files: PackageFile[] = [];
  for (const file of found) files.push({ name: file.name, data: await fs.readFile(file.path) });
  return unwrapped(files);
}

/**
 * A package whose every file sits in one folder (`<GUID>_<sender>/passport.xml`: the package folder zipped as a
 * whole, as Windows' «Send to compressed folder» does) is read as that folder's content, not quarantined for want of
 * a passport at the top.
 */
function unwrapped(files: PackageFile[]): PackageFile[] {
  const top = files[0]?.name.split('/')[0];
  if (top === undefined || !files.every((file) => file.name.startsWith(`${top}/`))) return files;
  return unwrapped(files.map((file) => ({ ...file, name: file.name.slice(top.length + 1) })));
}

async function exists(path: string): Promise<boolean> {
  return fs.lstat(path).then(
    () => true,
    () => false,
  );
}

/** A name in `dir` not taken yet: `name`, else `name.<time>-<random>` (a redelivered package). */
async function freeName(dir: string, name: string): Promise<string> {
  if (!(await exists(join(dir, name))) && !(await exists(join(dir, `${name}.reason.txt`)))) return name;
  return `${name}.${Date.now()}-${randomBytes(3).toString('hex')}`;
}

/** Moves a file or folder into `destDir`; across filesystems by copy-then-remove. Returns the new path. */
export async function moveInto(path: string, destDir: string, reservedName?: string): Promise<string> {
  await fs.mkdir(destDir, { recursive: true });
  const target = join(destDir, reservedName ?? (await freeName(destDir, basename(path))));
  try {
    await fs.rename(path, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await fs.cp(path, target, {
      recursive: true,
      errorOnExist: true,
      force: false,
      preserveTimestamps: true,
    });
    await fs.rm(path, { recursive: true, force: true });
  }
  return target;
}

/**
 * Moves an unreadable package into quarantine with `<name>.reason.txt` beside it. The reason is written
 * first, so a crash in between leaves the package in the inbound folder to be quarantined again.
 */
export async function quarantinePackage(
  entry: PackageEntry,
  quarantineDir: string,
  reason: string,
): Promise<string> {
  await fs.mkdir(quarantineDir, { recursive: true });
  const name = await freeName(quarantineDir, entry.name);
  await writeFileAtomically(join(quarantineDir, `${name}.reason.txt`), Buffer.from(reason, 'utf8'));
  return moveInto(entry.path, quarantineDir, name);
}

export async function writeFileAtomically(path: string, data: Buffer): Promise<void> {
  const temp = join(path, '..', `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, path);
}

export interface OutboundFile {
  name: string;
  data: Buffer;
}

/**
 * Writes a package folder so that the gateway sees all of it or nothing: files go into a dot-named
 * folder (in `stagingDir`, default the outbound folder itself, so the rename stays on one filesystem),
 * are flushed, and the folder is renamed into place. An existing package of the same name means an
 * earlier attempt got through: nothing is written again.
 */
export async function writePackageAtomically(
  outboundDir: string,
  name: string,
  files: OutboundFile[],
  stagingDir?: string,
): Promise<{ path: string; created: boolean }> {
  const target = join(outboundDir, name);
  if (await exists(target)) return { path: target, created: false };
  const staging = join(stagingDir ?? outboundDir, `.tmp-${name}`);
  await fs.rm(staging, { recursive: true, force: true }); // a leftover of a crashed attempt
  // Not recursive: a missing outbound folder is an unmounted share, not something to create.
  await fs.mkdir(staging);
  try {
    for (const file of files) {
      const handle = await fs.open(join(staging, file.name), 'wx');
      try {
        await handle.writeFile(file.data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await syncDir(staging);
    await fs.rename(staging, target);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'EEXIST' || code === 'ENOTEMPTY') && (await exists(target)))
      return { path: target, created: false };
    throw error;
  }
  await syncDir(outboundDir);
  return { path: target, created: true };
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some filesystems (network shares) cannot fsync a directory.
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
