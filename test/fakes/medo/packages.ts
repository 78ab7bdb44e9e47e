import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import yazl from 'yazl';

/**
 * Builders of inbound МЭДО packages as gateways write them: xdms passports (2.2–2.7) in windows-1251 or
 * UTF-8, with the `xdms:` prefix on elements and attributes (as the schema's qualified forms require) or
 * with a default namespace and bare attributes (a deviation seen in the wild), INI envelopes, 2.7
 * transport containers, and the broken things a connector must survive.
 */

export const XDMS_NS = 'http://www.infpres.com/IEDMS';
export const CONTAINER_NS = 'http://minsvyaz.ru/container';

export type XmlEncoding = 'windows-1251' | 'utf-8';

export interface Party {
  uid: string;
  organisation: string;
}

export interface FileSpec {
  name: string;
  data: Buffer;
  group?: 'Текст документа' | 'Текст приложения' | 'Данные';
  /** A detached signature of this file (PKCS#7), named in `signedData/signerInfo/@signature`. */
  signature?: { name: string; data: Buffer };
}

export interface PackageFileSpec {
  name: string;
  data: Buffer;
}

export interface DocumentSpec {
  version?: string;
  encoding?: XmlEncoding;
  /** 'prefixed': xdms: on elements and attributes (schema-valid); 'default-namespace': bare names. */
  style?: 'prefixed' | 'default-namespace';
  headerUid?: string;
  documentUid?: string;
  created?: string;
  source: Party;
  kind?: string;
  number?: string;
  date?: string;
  annotation?: string;
  addressee?: Party;
  links?: { uid?: string; type: string; number: string; date?: string; organisation?: string }[];
  files?: FileSpec[];
  /** Put the document's elements in reverse order (tolerance of element order). */
  reverseOrder?: boolean;
}

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

class Writer {
  readonly lines: string[] = [];
  constructor(private readonly style: 'prefixed' | 'default-namespace' | 'container') {}

  private name(local: string): string {
    return this.style === 'prefixed' ? `xdms:${local}` : this.style === 'container' ? `c:${local}` : local;
  }

  private attrs(attrs: Record<string, string | undefined>): string {
    const prefix = this.style === 'prefixed' ? 'xdms:' : this.style === 'container' ? 'c:' : '';
    return Object.entries(attrs)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${prefix}${k}="${esc(v!)}"`)
      .join('');
  }

  el(local: string, attrs: Record<string, string | undefined>, inner: string | string[] | undefined): string {
    const body = Array.isArray(inner) ? inner.filter(Boolean).join('\n') : inner;
    if (body === undefined) return '';
    const open = `<${this.name(local)}${this.attrs(attrs)}>`;
    return Array.isArray(inner)
      ? `${open}\n${body}\n</${this.name(local)}>`
      : `${open}${esc(body)}</${this.name(local)}>`;
  }

  root(local: string, attrs: Record<string, string | undefined>, inner: string[], nsDecl: string): string {
    return `<${this.name(local)}${nsDecl}${this.attrs(attrs)}>\n${inner.filter(Boolean).join('\n')}\n</${this.name(local)}>`;
  }
}

function declaration(encoding: XmlEncoding): string {
  return `<?xml version="1.0" encoding="${encoding}"?>\n`;
}

function nsDeclaration(style: 'prefixed' | 'default-namespace'): string {
  return style === 'prefixed' ? ` xmlns:xdms="${XDMS_NS}"` : ` xmlns="${XDMS_NS}"`;
}

function headerXml(w: Writer, type: string, uid: string, created: string, source: Party): string {
  return w.el('header', { type, uid, created }, [
    w.el('source', { uid: source.uid }, [w.el('organization', {}, source.organisation)]),
  ]);
}

/** The passport of a «Документ», as text with its XML declaration. */
export function documentPassport(spec: DocumentSpec): string {
  const style = spec.style ?? 'prefixed';
  const w = new Writer(style);
  const headerUid = spec.headerUid ?? randomUUID();
  const documentUid = spec.documentUid ?? randomUUID();
  const files = spec.files ?? [];
  const signed = spec.date ?? '2025-03-14';
  const documentParts = [
    spec.kind === undefined ? '' : w.el('kind', { id: '1' }, spec.kind),
    w.el('num', {}, [
      w.el('number', {}, spec.number ?? '01-12/345'),
      spec.date ? w.el('date', {}, spec.date) : '',
    ]),
    w.el('signatories', {}, [
      w.el('signatory', {}, [
        w.el('organization', {}, spec.source.organisation),
        w.el('person', {}, 'Петров П.П.'),
        w.el('post', {}, 'Заместитель министра'),
        w.el('signed', {}, signed),
      ]),
    ]),
    spec.addressee
      ? w.el('addressees', {}, [
          w.el('addressee', { uid: spec.addressee.uid }, [
            w.el('organization', {}, spec.addressee.organisation),
          ]),
        ])
      : '',
    w.el('pages', {}, '2'),
    spec.annotation === undefined ? '' : w.el('annotation', {}, spec.annotation),
    spec.links?.length
      ? w.el(
          'links',
          {},
          spec.links.map((link) =>
            w.el('link', { uid: link.uid }, [
              w.el('linkType', {}, link.type),
              w.el('reference', {}, [
                link.organisation ? w.el('organization', {}, link.organisation) : '',
                w.el('num', {}, [
                  w.el('number', {}, link.number),
                  link.date ? w.el('date', {}, link.date) : '',
                ]),
              ]),
            ]),
          ),
        )
      : '',
    files.length
      ? w.el(
          'files',
          {},
          files
            .map((_f, i) => String(i))
            .filter((_v, i) => files[i].group !== 'Текст приложения')
            .join(' '),
        )
      : '',
  ].filter(Boolean);
  if (spec.reverseOrder) documentParts.reverse();

  const body = [
    headerXml(w, 'Документ', headerUid, spec.created ?? '2025-03-14T10:15:00', spec.source),
    w.el('document', { uid: documentUid }, documentParts),
    w.el(
      'files',
      {},
      files.map((file, i) =>
        w.el(
          'file',
          { localName: file.name, localId: String(i), type: /\.pdf$/i.test(file.name) ? 'pdf' : undefined },
          [
            w.el('group', {}, file.group ?? 'Текст документа'),
            w.el('pages', {}, '1'),
            file.signature
              ? w.el('signedData', {}, [
                  w.el('signerInfo', { signature: file.signature.name }, [
                    w.el('digestTime', {}, '2025-03-14T09:00:00'),
                    w.el('signer', {}, [w.el('organization', {}, spec.source.organisation)]),
                  ]),
                ])
              : '',
          ],
        ),
      ),
    ),
  ];
  return (
    declaration(spec.encoding ?? 'utf-8') +
    w.root('communication', { version: spec.version ?? '2.6' }, body, nsDeclaration(style))
  );
}

export function encodeXml(text: string, encoding: XmlEncoding): Buffer {
  return encoding === 'windows-1251' ? iconv.encode(text, 'win1251') : Buffer.from(text, 'utf8');
}

/** The files of a «Документ» package: passport.xml, the files and their signatures. */
export function documentPackage(spec: DocumentSpec, passportName = 'passport.xml'): PackageFileSpec[] {
  const encoding = spec.encoding ?? 'utf-8';
  const files: PackageFileSpec[] = [
    { name: passportName, data: encodeXml(documentPassport(spec), encoding) },
  ];
  for (const file of spec.files ?? []) {
    files.push({ name: file.name, data: file.data });
    if (file.signature) files.push(file.signature);
  }
  return files;
}

export interface NotificationSpec {
  version?: string;
  encoding?: XmlEncoding;
  headerUid?: string;
  source: Party;
  /** The document notified about (ours). */
  documentUid: string;
  messageUid?: string;
  type: 'Зарегистрирован' | 'Отказано в регистрации' | 'Назначен исполнитель';
  number?: string;
  date?: string;
  reason?: string;
  comment?: string;
}

export function notificationPassport(spec: NotificationSpec): string {
  const w = new Writer('prefixed');
  const time = w.el('time', {}, '2025-03-20T11:00:00+03:00');
  const party = (tag: string) => w.el(tag, {}, [w.el('organization', {}, spec.source.organisation)]);
  const event =
    spec.type === 'Зарегистрирован'
      ? w.el('documentAccepted', {}, [
          time,
          w.el('num', {}, [
            w.el('number', {}, spec.number ?? '1'),
            spec.date ? w.el('date', {}, spec.date) : '',
          ]),
        ])
      : spec.type === 'Отказано в регистрации'
        ? w.el('documentRefused', {}, [time, w.el('reason', {}, spec.reason ?? 'Не подлежит регистрации')])
        : w.el('executorAssigned', {}, [time, party('secretary'), party('manager'), party('executor')]);
  const body = [
    headerXml(w, 'Уведомление', spec.headerUid ?? randomUUID(), '2025-03-20T11:00:05', spec.source),
    w.el('notification', { type: spec.type, uid: spec.documentUid, mid: spec.messageUid }, [
      event,
      spec.comment ? w.el('comment', {}, spec.comment) : '',
    ]),
  ];
  return (
    declaration(spec.encoding ?? 'windows-1251') +
    w.root('communication', { version: spec.version ?? '2.6' }, body, nsDeclaration('prefixed'))
  );
}

export interface AcknowledgmentSpec {
  version?: string;
  encoding?: XmlEncoding;
  headerUid?: string;
  source: Party;
  acknowledgedUid: string;
  accepted: boolean;
  comment?: string;
}

export function acknowledgmentPassport(spec: AcknowledgmentSpec): string {
  const w = new Writer('prefixed');
  const body = [
    headerXml(w, 'Квитанция', spec.headerUid ?? randomUUID(), '2025-03-20T10:00:00', spec.source),
    w.el('acknowledgment', { uid: spec.acknowledgedUid }, [
      w.el('time', {}, '2025-03-20T10:00:00+03:00'),
      w.el('accepted', {}, spec.accepted ? 'true' : 'false'),
      spec.comment ? w.el('comment', {}, spec.comment) : '',
    ]),
  ];
  return (
    declaration(spec.encoding ?? 'utf-8') +
    w.root('communication', { version: spec.version ?? '2.6' }, body, nsDeclaration('prefixed'))
  );
}

/** The INI envelope of older gateways, in windows-1251. */
export function iniEnvelope(files: string[], options: { encrypted?: boolean } = {}): Buffer {
  const lines = [
    '[ПИСЬМО КП ПС СЭД]',
    'ТЕМА=ПС СЭД: Документ',
    `ШИФРОВАНИЕ=${options.encrypted ? 1 : 0}`,
    'ЭЦП=1',
    'ДАТА=14.03.2025 10:15:00',
    '',
    '; files of the package',
    '[ФАЙЛЫ]',
    ...files.map((name, i) => `${i}=${name}`),
    '',
  ];
  return iconv.encode(lines.join('\r\n'), 'win1251');
}

export interface ContainerSpec {
  headerUid?: string;
  documentUid?: string;
  source: Party;
  kind: string;
  annotation: string;
  number: string;
  date: string;
  addressee: string;
  document: { name: string; data: Buffer; signature: { name: string; data: Buffer } };
  attachments?: { name: string; data: Buffer }[];
  /** Encoding of the description file inside the container. */
  descriptionEncoding?: XmlEncoding;
  /** Replace the container ZIP (e.g. with a bomb). */
  containerZip?: Buffer;
}

/** A 2.7 package: an xdms passport of type «Транспортный контейнер» and the container ZIP it names. */
export async function container27Package(spec: ContainerSpec): Promise<PackageFileSpec[]> {
  const headerUid = spec.headerUid ?? randomUUID();
  const documentUid = spec.documentUid ?? randomUUID();
  const c = new Writer('container');
  const description =
    declaration(spec.descriptionEncoding ?? 'windows-1251') +
    c.root(
      'container',
      { uid: documentUid, version: '1.0' },
      [
        c.el('requisites', {}, [
          c.el('documentKind', {}, spec.kind),
          c.el('annotation', {}, spec.annotation),
        ]),
        c.el('authors', {}, [
          c.el('author', {}, [
            c.el('organization', {}, [c.el('title', {}, spec.source.organisation)]),
            c.el('registration', {}, [c.el('number', {}, spec.number), c.el('date', {}, spec.date)]),
            c.el('sign', {}, [
              c.el('person', {}, [c.el('post', {}, 'Министр'), c.el('name', {}, 'Сидоров С.С.')]),
              c.el('documentSignature', { localName: spec.document.signature.name, type: 'Утверждающая' }, [
                c.el('signatureStamp', { localName: 'stamp.png' }, [
                  c.el('position', {}, [c.el('page', {}, '1')]),
                ]),
              ]),
            ]),
          ]),
        ]),
        c.el('addressees', {}, [
          c.el('addressee', {}, [c.el('organization', {}, [c.el('title', {}, spec.addressee)])]),
        ]),
        c.el('document', { localName: spec.document.name }, [c.el('pagesQuantity', {}, '1')]),
        spec.attachments?.length
          ? c.el(
              'attachments',
              {},
              spec.attachments.map((a, i) =>
                c.el('attachment', { localName: a.name }, [c.el('order', {}, String(i))]),
              ),
            )
          : '',
      ],
      ` xmlns:c="${CONTAINER_NS}"`,
    );
  const containerName = `${headerUid}.zip`;
  const containerZip =
    spec.containerZip ??
    (await zipBuffer([
      { name: 'passport.xml', data: encodeXml(description, spec.descriptionEncoding ?? 'windows-1251') },
      { name: spec.document.name, data: spec.document.data },
      spec.document.signature,
      { name: 'stamp.png', data: Buffer.from('89504e470d0a1a0a', 'hex') },
      ...(spec.attachments ?? []),
    ]));
  const w = new Writer('prefixed');
  const passport =
    declaration('utf-8') +
    w.root(
      'communication',
      { version: '2.7' },
      [
        headerXml(w, 'Транспортный контейнер', headerUid, '2025-03-14T12:00:00', spec.source),
        w.el('container', {}, [w.el('body', {}, containerName)]),
      ],
      nsDeclaration('prefixed'),
    );
  return [
    { name: 'document.xml', data: Buffer.from(passport, 'utf8') },
    { name: containerName, data: containerZip },
  ];
}

/** A ZIP of the given files. Names are written as UTF-8 (yazl sets the flag). */
export function zipBuffer(files: PackageFileSpec[], options: { compress?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const file of files) zip.addBuffer(file.data, file.name, { compress: options.compress ?? true });
  return collect(zip);
}

function collect(zip: yazl.ZipFile): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
    zip.end();
  });
}

/**
 * A ZIP bomb: a passport and a document of `bytes` zeros that deflate to almost nothing (about
 * 1000:1). Streamed, so the test never holds the expanded size in memory.
 */
export function zipBomb(bytes: number, passport: Buffer): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(passport, 'passport.xml');
  const chunk = Buffer.alloc(1024 * 1024);
  let left = bytes;
  const zeros = new Readable({
    read() {
      if (left <= 0) return this.push(null);
      const size = Math.min(left, chunk.length);
      left -= size;
      this.push(chunk.subarray(0, size));
    },
  });
  zip.addReadStream(zeros, 'letter.pdf', { compress: true });
  return collect(zip);
}

/**
 * A ZIP whose entry climbs out of the package (`../…` or an absolute path). yazl refuses to write such
 * names, so a same-length placeholder is written and patched in the local and central headers.
 */
export async function traversalZip(
  files: PackageFileSpec[],
  evilName = '../../etc/cron.d/evil',
): Promise<Buffer> {
  const placeholder = 'x'.repeat(Buffer.byteLength(evilName));
  const zip = await zipBuffer(
    [...files, { name: placeholder, data: Buffer.from('* * * * * root rm -rf /\n') }],
    {
      compress: false,
    },
  );
  const from = Buffer.from(placeholder);
  const to = Buffer.from(evilName);
  let at = zip.indexOf(from);
  while (at >= 0) {
    to.copy(zip, at);
    at = zip.indexOf(from, at + to.length);
  }
  return zip;
}

/** Bytes that look like a PDF with every byte value in them, so a decode/encode slip shows in checksums. */
export function binaryFile(label: string, size = 4096): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + label.length) & 0xff;
  return Buffer.concat([
    Buffer.from(`%PDF-1.4\n% ${label}\n`, 'latin1'),
    body,
    randomBytes(16),
    Buffer.from('\n%%EOF\n'),
  ]);
}

/** A detached CMS signature stand-in (DER SEQUENCE header, random body). */
export function signatureFile(): Buffer {
  return Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), randomBytes(256)]);
}

/**
 * A ZIP as older Windows archivers write it: names in CP866 and no UTF-8 flag. yazl always writes
 * UTF-8, so same-length placeholders are written and patched, and the flag cleared in every header.
 */
export async function cp866Zip(files: PackageFileSpec[]): Promise<Buffer> {
  const names = files.map((file) => iconv.encode(file.name, 'cp866'));
  const placeholders = names.map((name, i) => Buffer.from(`${i}`.padStart(name.length, '_')));
  const zip = await zipBuffer(
    files.map((file, i) => ({ name: placeholders[i].toString('latin1'), data: file.data })),
  );
  placeholders.forEach((placeholder, i) => {
    let at = zip.indexOf(placeholder);
    while (at >= 0) {
      names[i].copy(zip, at);
      at = zip.indexOf(placeholder, at + placeholder.length);
    }
  });
  for (const [signature, flagOffset] of [
    [Buffer.from([0x50, 0x4b, 0x03, 0x04]), 6],
    [Buffer.from([0x50, 0x4b, 0x01, 0x02]), 8],
  ] as const) {
    let at = zip.indexOf(signature);
    while (at >= 0) {
      zip.writeUInt16LE(zip.readUInt16LE(at + flagOffset) & ~0x800, at + flagOffset);
      at = zip.indexOf(signature, at + 4);
    }
  }
  return zip;
}
