import { posix } from 'node:path';
import {
  Channel,
  type DeliveryStateEvent,
  type InboundAttachment,
  contentTypeOf,
  type InboundItem,
} from '@inbox/integrations/contract';
import { decodeXmlBytes } from './encoding';
import { PackageRejected } from './errors';
import { envelopeFacts, parseIni } from './ini';
import { type PackageEntry, type PackageLimits, readPackageFiles } from './package-store';
import {
  type ContainerDescription,
  type MedoDocumentInfo,
  type MedoHeader,
  type MedoMessage,
  normaliseGuid,
  parseContainerDescription,
  parsePassport,
  rootNameOf,
} from './passport';
import { type PackageFile, readZip } from './zip';

/** A package read and understood: its passport, its files, and what else it said. */
export interface InboundPackage {
  entry: PackageEntry;
  message: MedoMessage;
  /** The document as far as the passport (and, in 2.7, the container description) tells it. */
  document?: MedoDocumentInfo;
  senderOrganisation?: string;
  /** Files that are content, not envelope: everything but the passport, the INI and the container. */
  contentFiles: PackageFile[];
  encodingNote?: string;
}

const PREFERRED_PASSPORT_NAMES = ['passport.xml', 'document.xml'];

function isTopLevel(file: PackageFile): boolean {
  return !file.name.includes('/');
}

/**
 * Cheap look at an XML file's root element: tag names are ASCII, so the bytes read as Latin-1 show them, except in
 * UTF-16 (a byte order mark; decodeXmlBytes reads such a passport), where every other byte is a zero.
 */
function peekRoot(file: PackageFile): string | undefined {
  const head = file.data.subarray(0, 8192);
  const utf16 =
    head[0] === 0xff && head[1] === 0xfe
      ? 'utf16le'
      : head[0] === 0xfe && head[1] === 0xff
        ? 'utf16be'
        : undefined;
  const text = utf16 ? decodeUtf16(head.subarray(2), utf16) : head.toString('latin1');
  return rootNameOf(text)?.toLowerCase();
}

function decodeUtf16(bytes: Buffer, order: 'utf16le' | 'utf16be'): string {
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  return order === 'utf16le' ? even.toString('utf16le') : Buffer.from(even).swap16().toString('utf16le');
}

function pickPassport(files: PackageFile[], listed: string[]): PackageFile | undefined {
  const candidates = files.filter((file) => isTopLevel(file) && /\.xml$/i.test(file.name));
  const passports = candidates.filter((file) => peekRoot(file) === 'communication');
  const rank = (file: PackageFile): number => {
    const lower = file.name.toLowerCase();
    const listedAt = listed.findIndex((name) => name.toLowerCase() === lower);
    if (listedAt >= 0) return listedAt;
    const preferred = PREFERRED_PASSPORT_NAMES.indexOf(lower);
    return preferred >= 0 ? 1000 + preferred : 2000;
  };
  return passports.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))[0];
}

/** A GUID at the start of the package name (`<GUID>_<sender>`), the fallback id of a package. */
export function guidOfPackageName(name: string): string | undefined {
  return normaliseGuid(/^\{?[0-9a-fA-F-]{36}\}?/.exec(name)?.[0]);
}

export async function readInboundPackage(
  entry: PackageEntry,
  limits: PackageLimits,
): Promise<InboundPackage> {
  const fallbackUid = guidOfPackageName(entry.name);
  try {
    return await readPackage(entry, limits, fallbackUid);
  } catch (error) {
    throw error instanceof PackageRejected ? error.withExternalId(fallbackUid) : error;
  }
}

async function readPackage(
  entry: PackageEntry,
  limits: PackageLimits,
  fallbackUid: string | undefined,
): Promise<InboundPackage> {
  const files = await readPackageFiles(entry, limits);

  const iniFiles = files.filter((file) => isTopLevel(file) && /\.ini$/i.test(file.name));
  const envelope = iniFiles.map((file) => envelopeFacts(parseIni(file.data)));
  if (envelope.some((facts) => facts.encrypted)) {
    throw new PackageRejected(
      'encrypted',
      'the INI envelope says the package is encrypted',
      'Согласно конверту (INI) пакет зашифрован; расшифровать его нечем',
    );
  }

  const passportFile = pickPassport(
    files,
    envelope.flatMap((facts) => facts.files),
  );
  if (!passportFile) {
    throw new PackageRejected(
      'missing-passport',
      'the package has no xdms passport (an XML file with a <communication> root)',
      'В пакете нет паспорта xdms (XML-файла с корневым элементом <communication>)',
    );
  }
  const decoded = decodeXmlBytes(passportFile.data);
  const message = parsePassport(decoded.text, fallbackUid);
  const notContent = new Set([passportFile, ...iniFiles]);

  if (message.kind === 'document') {
    return {
      entry,
      message,
      document: message.document,
      senderOrganisation: message.header.source.organisation,
      contentFiles: files.filter((file) => !notContent.has(file)),
      encodingNote: decoded.note,
    };
  }
  if (message.kind !== 'container') {
    return { entry, message, contentFiles: [], encodingNote: decoded.note };
  }

  try {
    return await readContainer(entry, message.header, message.body, files, notContent, limits, decoded.note);
  } catch (error) {
    throw error instanceof PackageRejected ? error.withExternalId(message.header.uid) : error;
  }
}

/** Version 2.7: the document, its files and its description travel inside a ZIP named in `container/body`. */
async function readContainer(
  entry: PackageEntry,
  header: MedoHeader,
  body: string | undefined,
  files: PackageFile[],
  notContent: Set<PackageFile>,
  limits: PackageLimits,
  encodingNote: string | undefined,
): Promise<InboundPackage> {
  const zips = files.filter((file) => /\.zip$/i.test(file.name) && !notContent.has(file));
  const wanted = body ? posix.basename(body.replace(/\\/g, '/')).toLowerCase() : undefined;
  const containerFile = wanted
    ? zips.find((file) => posix.basename(file.name).toLowerCase() === wanted)
    : zips.length === 1
      ? zips[0]
      : undefined;
  if (!containerFile) {
    throw new PackageRejected(
      'missing-field',
      `the transport container ${body ? `"${body}" ` : ''}is not in the package`,
      `Транспортный контейнер ${body ? `«${body}» ` : ''}отсутствует в пакете`,
    );
  }
  const usedBytes = files.reduce((sum, file) => sum + file.data.length, 0);
  const inner = await readZip(containerFile.data, {
    maxEntries: Math.max(0, limits.maxFiles - files.length),
    maxTotalBytes: Math.max(0, limits.maxUnzippedBytes - usedBytes),
    maxRatio: limits.maxCompressionRatio,
  });
  const descriptionFile =
    inner.find((file) => isTopLevel(file) && /\.xml$/i.test(file.name) && peekRoot(file) === 'container') ??
    undefined;
  if (!descriptionFile) {
    throw new PackageRejected(
      'missing-passport',
      'the transport container has no description file (an XML file with a <container> root)',
      'В транспортном контейнере нет файла описания (XML с корневым элементом <container>)',
    );
  }
  const description = parseContainerDescription(decodeXmlBytes(descriptionFile.data).text);
  notContent.add(containerFile);
  const outerContent = files.filter((file) => !notContent.has(file));
  const innerContent = inner.filter((file) => file !== descriptionFile);
  return {
    entry,
    message: { kind: 'container', header, body },
    document: documentOfContainer(header, description),
    senderOrganisation: header.source.organisation ?? description.senderOrganisation,
    contentFiles: [...innerContent, ...outerContent],
    encodingNote,
  };
}

const CONTAINER_GROUPS: Record<ContainerDescription['files'][number]['role'], string | undefined> = {
  document: 'Текст документа',
  attachment: 'Текст приложения',
  signature: undefined,
  stamp: 'Данные',
  other: undefined,
};

function documentOfContainer(header: MedoHeader, description: ContainerDescription): MedoDocumentInfo {
  const signatures = description.files
    .filter((file) => file.role === 'signature')
    .map((file) => file.localName);
  return {
    uid: description.uid ?? header.uid,
    uidFromHeader: description.uid ? undefined : true,
    kind: description.kind,
    number: description.number,
    date: description.date,
    annotation: description.annotation,
    addressees: description.addressees,
    links: [],
    files: description.files
      .filter((file) => file.role !== 'signature')
      .map((file, i) => ({
        localName: file.localName,
        group: CONTAINER_GROUPS[file.role],
        // The description ties signatures to the document only loosely; keep them with the first file.
        signatures: i === 0 ? signatures : [],
      })),
  };
}

function formatDate(date: string | undefined): string | undefined {
  const match = date ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  return match ? `${match[3]}.${match[2]}.${match[1]}` : date;
}

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}

function definedOnly(value: Record<string, string | undefined>): Record<string, string> {
  return compact(value) as Record<string, string>;
}

interface OrderedFile {
  file: PackageFile;
  label: string;
}

/** Files in the passport's order (each followed by its signatures), then whatever else came in the package. */
function orderFiles(
  document: MedoDocumentInfo,
  pool: PackageFile[],
): { ordered: OrderedFile[]; missing: string[] } {
  const left = [...pool];
  const take = (name: string): PackageFile | undefined => {
    const lower = name.replace(/\\/g, '/').toLowerCase();
    const base = posix.basename(lower);
    const at = [
      left.findIndex((file) => file.name === name),
      left.findIndex((file) => file.name.toLowerCase() === lower),
      left.findIndex((file) => posix.basename(file.name).toLowerCase() === base),
    ].find((index) => index >= 0);
    return at === undefined ? undefined : left.splice(at, 1)[0];
  };
  const ordered: OrderedFile[] = [];
  const missing: string[] = [];
  for (const ref of document.files) {
    const file = take(ref.localName);
    if (file) ordered.push({ file, label: ref.group ?? 'файл' });
    else missing.push(ref.localName);
    for (const signature of ref.signatures) {
      const sig = take(signature);
      if (sig) ordered.push({ file: sig, label: 'электронная подпись' });
      else missing.push(signature);
    }
  }
  for (const file of left.sort((a, b) => a.name.localeCompare(b.name))) {
    const signature = contentTypeOf(file.name) === 'application/pkcs7-signature';
    ordered.push({ file, label: signature ? 'электронная подпись' : 'файл' });
  }
  return { ordered, missing };
}

/** Where an item goes when we answer it: everything `send` and `acknowledgeReceipt` need. */
export interface MedoReplyAddress {
  sourceUid?: string;
  sourceOrganisation?: string;
  documentUid: string;
  headerUid: string;
  number?: string;
  date?: string;
}

/**
 * A «Документ» (or a 2.7 transport container) as an InboundItem: a 59-ФЗ appeal redirected from another
 * body. No `registeredAt`: our 59-ФЗ clock starts at our own registration, not the sender's date.
 * `readAt`: when we read the package. The sender's clock may run ahead (or its zone be wrong): a header created
 * after that is not when we received it, and would put the 3-day registration deadline off by as much.
 */
export function toInboundItem(pkg: InboundPackage, ourParticipantUid: string, readAt?: Date): InboundItem {
  const { header } = pkg.message;
  const sent = header.created ?? new Date(pkg.entry.newestMtimeMs).toISOString();
  const ahead = readAt !== undefined && Date.parse(sent) > readAt.getTime();
  const document = pkg.document!;
  const { ordered, missing } = orderFiles(document, pkg.contentFiles);
  const attachments: InboundAttachment[] = ordered.map(({ file }) => ({
    fileName: posix.basename(file.name),
    contentType: contentTypeOf(file.name),
    contentBase64: file.data.toString('base64'),
    size: file.data.length,
  }));

  const kind = document.kind ?? 'Документ';
  const subject = [
    kind,
    document.number ? `№ ${document.number}` : 'без номера',
    document.date ? `от ${formatDate(document.date)}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const fileNotes = ordered.map(({ file, label }) => `«${posix.basename(file.name)}» — ${label}`);
  const text = [
    document.annotation ?? 'Аннотация (краткое содержание) в паспорте МЭДО не указана.',
    fileNotes.length > 0
      ? `Файлы пакета МЭДО: ${fileNotes.join('; ')}.`
      : 'Пакет МЭДО не содержит файлов документа.',
    missing.length > 0
      ? `Не получены файлы, указанные в паспорте: ${missing.map((n) => `«${n}»`).join(', ')}.`
      : undefined,
  ]
    .filter(Boolean)
    .join('\n\n');

  const addressee =
    document.addressees.find((a) => a.uid === ourParticipantUid) ??
    document.addressees.find((a) => a.organisation);
  const refersTo = [...new Set(document.links.map((link) => link.uid).filter((uid): uid is string => !!uid))];
  const replyAddress: MedoReplyAddress = compact({
    sourceUid: header.source.uid,
    sourceOrganisation: pkg.senderOrganisation,
    documentUid: document.uid,
    headerUid: header.uid,
    number: document.number,
    date: document.date,
  });

  return {
    channel: Channel.Medo,
    externalId: header.uid,
    receivedAt: ahead ? readAt.toISOString() : sent,
    regime: 'appeal',
    author: compact({ displayName: pkg.senderOrganisation, externalId: header.source.uid }),
    subject,
    text,
    attachments,
    thread: {
      key: `medo-doc:${document.uid}`,
      ...(refersTo.length > 0 ? { refersTo: refersTo.map((uid) => `medo-doc:${uid}`) } : {}),
    },
    replyAddress: { ...replyAddress },
    addressee: addressee ? compact({ externalId: addressee.uid, name: addressee.organisation }) : undefined,
    features: definedOnly({
      senderNumber: document.number,
      senderDate: document.date,
      senderOrganisation: pkg.senderOrganisation,
      documentUid: document.uid,
      documentKind: document.kind,
      medoVersion: header.version,
      medoVersionNote: header.versionNote,
      medoPackage: pkg.entry.name,
      encodingNote: pkg.encodingNote,
      missingFiles: missing.length > 0 ? missing.join(', ') : undefined,
      senderCreatedAhead: ahead ? sent : undefined,
    }),
  };
}

/**
 * A notification or receipt about something we sent, as a delivery state. `remoteId` is the uid we gave
 * the document (our outgoing header and document share it; see `send`). Undefined: a notification kind
 * with no delivery state («Назначен исполнитель», «Доклад направлен», …).
 */
export function toDeliveryState(pkg: InboundPackage): DeliveryStateEvent | undefined {
  const { message } = pkg;
  const base = {
    kind: 'delivery-state' as const,
    channel: Channel.Medo,
    externalId: message.header.uid,
    receivedAt: message.header.created ?? new Date(pkg.entry.newestMtimeMs).toISOString(),
  };
  if (message.kind === 'acknowledgment') {
    const { acknowledgment: ack } = message;
    return compact({
      ...base,
      remoteId: ack.messageUid,
      state: ack.accepted ? ('delivered' as const) : ('failed' as const),
      reason: ack.accepted ? undefined : (ack.comment ?? 'Получатель не принял сообщение'),
    });
  }
  if (message.kind !== 'notification') return undefined;
  const { notification: n } = message;
  const type = n.type.trim().toLowerCase();
  if (type === 'зарегистрирован') {
    return compact({
      ...base,
      remoteId: n.documentUid ?? n.messageUid,
      state: 'registered' as const,
      remoteRegistrationNumber: n.number,
    });
  }
  if (type === 'отказано в регистрации') {
    return compact({
      ...base,
      remoteId: n.documentUid ?? n.messageUid,
      state: 'refused' as const,
      reason: [n.reason, n.comment].filter(Boolean).join(': ') || 'Отказано в регистрации',
    });
  }
  return undefined;
}
