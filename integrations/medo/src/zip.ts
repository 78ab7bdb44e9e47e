import iconv from 'iconv-lite';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { PackageRejected } from './errors';

export interface ZipLimits {
  maxEntries: number;
  /** Bytes all entries may expand to together. */
  maxTotalBytes: number;
  /** Expansion ratio tolerated for an entry over RATIO_FLOOR bytes. */
  maxRatio: number;
}

export interface PackageFile {
  /** Relative path inside the package, '/'-separated. */
  name: string;
  data: Buffer;
}

/** Small entries may compress extremely well (a page of spaces); the ratio test starts above this. */
const RATIO_FLOOR = 1024 * 1024;
const UTF8_FLAG = 0x800;
const ENCRYPTED_FLAG = 0x1;
const UNICODE_PATH_EXTRA = 0x7075;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Entry names: UTF-8 when the entry says so (or carries an Info-ZIP Unicode path); otherwise what
 * Russian Windows archivers write, CP866, unless the bytes are plain ASCII or valid UTF-8.
 */
function entryName(entry: Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  if (entry.generalPurposeBitFlag & UTF8_FLAG) return raw.toString('utf8');
  const unicode = entry.extraFields?.find((field) => field.id === UNICODE_PATH_EXTRA);
  if (unicode && unicode.data.length > 5 && unicode.data[0] === 1)
    return unicode.data.subarray(5).toString('utf8');
  try {
    return strictUtf8.decode(raw);
  } catch {
    return iconv.decode(raw, 'cp866');
  }
}

function traversal(name: string): PackageRejected {
  return new PackageRejected(
    'path-traversal',
    `the ZIP entry "${name}" points outside the package`,
    `Элемент архива «${name}» указывает за пределы пакета (попытка выхода из каталога)`,
  );
}

/** A safe relative name, or a rejection: no absolute paths, drive letters, `..`, or control characters. */
export function safeEntryName(name: string): string {
  const unified = name.replace(/\\/g, '/');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(unified)) throw traversal(name);
  if (unified.startsWith('/') || /^[a-zA-Z]:/.test(unified)) throw traversal(name);
  const parts = unified.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.some((part) => part === '..')) throw traversal(name);
  return parts.join('/');
}

function bomb(reason: string): PackageRejected {
  return new PackageRejected(
    'zip-bomb',
    reason,
    'Архив распаковывается в объём больше допустимого или сжат подозрительно сильно (ZIP-бомба)',
  );
}

function badZip(reason: string): PackageRejected {
  return new PackageRejected('bad-zip', `the ZIP is damaged: ${reason}`, 'Архив ZIP повреждён и не читается');
}

function open(buffer: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // Names undecoded: yauzl would read them as CP437 and mangle Cyrillic; we decode and validate them.
    yauzl.fromBuffer(
      buffer,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true },
      (error, zip) => (error || !zip ? reject(badZip(error?.message ?? 'unreadable')) : resolve(zip)),
    );
  });
}

/**
 * Reads every file of a ZIP into memory, refusing ZIP bombs before inflating anything that the headers
 * already betray (declared total size, expansion ratio, entry count), and again while inflating, in
 * case the headers lie.
 */
export async function readZip(buffer: Buffer, limits: ZipLimits): Promise<PackageFile[]> {
  const zip = await open(buffer);
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new PackageRejected(
      'too-many-files',
      `the ZIP has ${zip.entryCount} entries, more than the ${limits.maxEntries} allowed`,
      `В архиве ${zip.entryCount} файлов, допускается не более ${limits.maxEntries}`,
    );
  }

  const files: PackageFile[] = [];
  const seen = new Set<string>();
  let declaredTotal = 0;
  let actualTotal = 0;

  return new Promise<PackageFile[]>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      zip.close();
      reject(error instanceof PackageRejected ? error : badZip(String((error as Error)?.message ?? error)));
    };

    zip.on('error', fail);
    zip.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(files);
    });
    zip.on('entry', (entry: Entry) => {
      try {
        const rawName = entryName(entry);
        const name = safeEntryName(rawName);
        if (rawName.endsWith('/') || rawName.endsWith('\\')) {
          zip.readEntry();
          return;
        }
        if (!name) throw traversal(rawName);
        const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
        if (mode === 0o120000) {
          throw new PackageRejected(
            'symlink',
            `the ZIP entry "${name}" is a symbolic link`,
            `Элемент архива «${name}» — символическая ссылка`,
          );
        }
        if (entry.generalPurposeBitFlag & ENCRYPTED_FLAG) {
          throw new PackageRejected(
            'encrypted',
            `the ZIP entry "${name}" is encrypted`,
            `Элемент архива «${name}» зашифрован`,
          );
        }
        const key = name.toLowerCase();
        if (seen.has(key)) throw badZip(`the entry "${name}" appears twice`);
        seen.add(key);

        declaredTotal += entry.uncompressedSize;
        if (declaredTotal > limits.maxTotalBytes) {
          throw bomb(`the ZIP expands to more than ${limits.maxTotalBytes} bytes`);
        }
        if (entry.uncompressedSize > RATIO_FLOOR) {
          const ratio = entry.compressedSize > 0 ? entry.uncompressedSize / entry.compressedSize : Infinity;
          if (ratio > limits.maxRatio) {
            throw bomb(
              `the ZIP entry "${name}" expands ${Math.round(ratio)} times (limit ${limits.maxRatio})`,
            );
          }
        }
      } catch (error) {
        fail(error);
        return;
      }

      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return fail(error ?? new Error('no stream'));
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          actualTotal += chunk.length;
          if (size > entry.uncompressedSize || actualTotal > limits.maxTotalBytes) {
            stream.destroy();
            fail(
              bomb(
                `the ZIP entry expands beyond its declared size or the ${limits.maxTotalBytes}-byte limit`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        stream.on('error', fail);
        stream.on('end', () => {
          if (settled) return;
          files.push({ name: safeEntryName(entryName(entry)), data: Buffer.concat(chunks, size) });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
}
