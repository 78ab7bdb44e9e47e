import { instantMsOf } from '@inbox/integrations/contract';
import { PackageRejected } from './errors';
import {
  attr,
  child,
  childNames,
  children,
  childText,
  findWithAttribute,
  parseXml,
  textOf,
  type XmlNode,
} from './xml';

/** Versions of the xdms passport this reader understands (`communication/@version`). */
export const SUPPORTED_VERSIONS = ['2.2', '2.3', '2.4', '2.5', '2.6', '2.7'] as const;

/**
 * Another minor version of the 2.x schema family (an old 2.1 gateway, a newer 2.8): the elements are the same, so
 * it is read as the nearest known version, with a note for the clerk. A passport that lacks what identifies the
 * message is still rejected. A new major version (3.0) and 2.7.1 (its own message.xml format) are not this schema.
 */
const SAME_FAMILY = /^2\.\d{1,2}$/;

export const MESSAGE_TYPES = {
  document: 'Документ',
  notification: 'Уведомление',
  acknowledgment: 'Квитанция',
  /** Version 2.7: the document travels inside a ZIP transport container named in `container/body`. */
  container: 'Транспортный контейнер',
} as const;

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** A GUID in one canonical form (lower case, no braces), or undefined when the value is not one. */
export function normaliseGuid(value: string | undefined): string | undefined {
  const match = value ? GUID.exec(value.trim()) : null;
  return match ? match[1].toLowerCase() : undefined;
}

export interface MedoPartner {
  uid?: string;
  organisation?: string;
}

export interface MedoHeader {
  /** As the passport writes it, canonical (`2.5`); absent when the passport names none. */
  version?: string;
  /** Set when `version` is not one of SUPPORTED_VERSIONS but of the same 2.x family, read all the same. */
  versionNote?: string;
  type: keyof typeof MESSAGE_TYPES;
  uid: string;
  created?: string;
  source: MedoPartner;
}

export interface MedoFileRef {
  localName: string;
  localId?: string;
  /** «Текст документа», «Текст приложения», «Данные», or our own label for container files. */
  group?: string;
  description?: string;
  /** Detached signatures of this file (`signedData/signerInfo/@signature`). */
  signatures: string[];
}

export interface MedoLink {
  uid?: string;
  linkType?: string;
  number?: string;
  date?: string;
}

export interface MedoDocumentInfo {
  uid: string;
  kind?: string;
  number?: string;
  /** YYYY-MM-DD when it could be read as a date, else as written. */
  date?: string;
  annotation?: string;
  addressees: MedoPartner[];
  links: MedoLink[];
  files: MedoFileRef[];
  /** Set when the document had no uid of its own and the header's stands in. */
  uidFromHeader?: boolean;
}

export interface MedoNotificationInfo {
  /** «Зарегистрирован», «Отказано в регистрации», «Назначен исполнитель», … */
  type: string;
  /** The document the notification is about (ours, when it answers something we sent). */
  documentUid?: string;
  /** The header uid of the message that carried that document, when given. */
  messageUid?: string;
  time?: string;
  number?: string;
  date?: string;
  reason?: string;
  comment?: string;
}

export interface MedoAcknowledgmentInfo {
  /** The header uid of the acknowledged message. */
  messageUid?: string;
  time?: string;
  accepted: boolean;
  comment?: string;
}

export type MedoMessage =
  | { kind: 'document'; header: MedoHeader; document: MedoDocumentInfo }
  | { kind: 'container'; header: MedoHeader; body?: string }
  | { kind: 'notification'; header: MedoHeader; notification: MedoNotificationInfo }
  | { kind: 'acknowledgment'; header: MedoHeader; acknowledgment: MedoAcknowledgmentInfo };

/** Accepts YYYY-MM-DD (with or without a zone or time) and DD.MM.YYYY; returns YYYY-MM-DD. */
export function normaliseDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}`;
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})/.exec(value);
  if (ru) return `${ru[3]}-${ru[2].padStart(2, '0')}-${ru[1].padStart(2, '0')}`;
  return value;
}

function normaliseInstant(value: string | undefined): string | undefined {
  if (!value) return undefined;
  // xsd:dateTime without a zone is the sender's local time; МЭДО participants are Russian bodies, and
  // reading it as Moscow time is closer than UTC (it only orders the feed, it starts no legal clock). Gateways
  // also write the Russian day-first «14.03.2025 10:15», which Date.parse reads month first or not at all.
  const time = instantMsOf(value.trim(), '+03:00');
  return time === undefined ? undefined : new Date(time).toISOString();
}

/**
 * A version as gateways write it, canonical: «2.5» for « 2.5», «2,5» (a decimal comma), «v2.5» and «2.5.0»; 2.7.1,
 * another format, stays itself.
 */
function canonicalVersion(written: string): string {
  const match = /^v?\s*(\d+)[.,](\d+)(?:\.0)?$/i.exec(written.trim());
  return match ? `${match[1]}.${match[2]}` : written.trim();
}

/** What the clerk reads about a passport of a version outside SUPPORTED_VERSIONS, or of none. */
function versionNoteOf(version: string | undefined): string {
  if (version === undefined)
    return 'В паспорте МЭДО не указана версия (атрибут version): прочитан по схеме версий 2.2–2.7, сверьте реквизиты с файлами пакета';
  // Minor numbers, not decimals: 2.10 comes after 2.7.
  const minors = SUPPORTED_VERSIONS.map((v) => Number(v.split('.')[1]));
  const minor = Number(version.split('.')[1]);
  const nearest = `2.${Math.min(Math.max(minor, Math.min(...minors)), Math.max(...minors))}`;
  return `Паспорт МЭДО версии ${version} (известны 2.2–2.7) прочитан по версии ${nearest}: сверьте реквизиты с файлами пакета`;
}

function missing(field: string, fieldRu: string): PackageRejected {
  return new PackageRejected('missing-field', `the passport has no ${field}`, `В паспорте нет ${fieldRu}`);
}

export function typeOfHeader(value: string | undefined): MedoHeader['type'] | undefined {
  const wanted = value?.trim().toLowerCase().replace(/\s+/g, ' ');
  for (const [key, label] of Object.entries(MESSAGE_TYPES)) {
    if (label.toLowerCase() === wanted) return key as MedoHeader['type'];
  }
  return undefined;
}

function partner(node: XmlNode | undefined): MedoPartner {
  return {
    uid: normaliseGuid(attr(node, 'uid')),
    organisation:
      childText(node, 'organization') ?? childText(node, 'organisation') ?? childText(node, 'title'),
  };
}

/** The local name of a document's root element, or undefined when the bytes are not XML at all. */
export function rootNameOf(text: string): string | undefined {
  const match = /<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]/.exec(
    text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''),
  );
  return match?.[1];
}

/**
 * Reads an xdms passport (`communication`, versions 2.2–2.7). Tolerant of prefixes, element order,
 * letter case and missing optional elements; strict only about what identifies the message.
 * `fallbackUid` (a GUID from the package name) stands in for a missing header uid.
 */
export function parsePassport(text: string, fallbackUid?: string): MedoMessage {
  const { rootName, root } = parseXml(text, 'the passport');
  if (rootName.toLowerCase() !== 'communication') {
    throw new PackageRejected(
      'missing-passport',
      `the XML root is <${rootName}>, not an xdms <communication>`,
      `Корневой элемент XML — <${rootName}>, а не паспорт xdms <communication>`,
    );
  }
  const written = attr(root, 'version');
  const version = written === undefined ? undefined : canonicalVersion(written);
  const headerNode = child(root, 'header');
  const headerUid = normaliseGuid(attr(headerNode, 'uid')) ?? fallbackUid;
  const known = SUPPORTED_VERSIONS.includes(version as (typeof SUPPORTED_VERSIONS)[number]);
  // A <communication> without its version (a gateway that leaves the required attribute out) is still this
  // schema's root: read as the family, with a note, rather than a whole letter held back for one attribute.
  if (version !== undefined && !known && !SAME_FAMILY.test(version)) {
    throw new PackageRejected(
      'unknown-version',
      `unsupported passport version "${written}" (read: 2.2–2.7)`,
      `Неподдерживаемая версия паспорта «${written}» (поддерживаются 2.2–2.7)`,
      headerUid,
    );
  }
  if (!headerNode) throw missing('header', 'заголовка (header)');
  if (!headerUid) throw missing('header uid (a GUID)', 'идентификатора сообщения (header/@uid)');
  const typeLabel = attr(headerNode, 'type');
  const type = typeOfHeader(typeLabel);
  if (!type) {
    throw new PackageRejected(
      'unknown-type',
      `unknown message type "${typeLabel ?? ''}"`,
      `Неизвестный тип сообщения «${typeLabel ?? ''}»`,
      headerUid,
    );
  }
  const header: MedoHeader = {
    ...(version !== undefined ? { version } : {}),
    ...(known ? {} : { versionNote: versionNoteOf(version) }),
    type,
    uid: headerUid,
    created: normaliseInstant(attr(headerNode, 'created')),
    source: partner(child(headerNode, 'source')),
  };

  try {
    switch (type) {
      case 'document':
        return { kind: 'document', header, document: readDocument(root, headerUid) };
      case 'container':
        return { kind: 'container', header, body: childText(root, 'container', 'body') };
      case 'notification':
        return { kind: 'notification', header, notification: readNotification(root) };
      case 'acknowledgment':
        return { kind: 'acknowledgment', header, acknowledgment: readAcknowledgment(root) };
    }
  } catch (error) {
    throw error instanceof PackageRejected ? error.withExternalId(headerUid) : error;
  }
}

function readDocument(root: XmlNode, headerUid: string): MedoDocumentInfo {
  const doc = child(root, 'document');
  if (!doc) throw missing('document element', 'описания документа (document)');
  const ownUid = normaliseGuid(attr(doc, 'uid'));
  const files = children(child(root, 'files'), 'file')
    .map((file): MedoFileRef | undefined => {
      const localName = attr(file, 'localName');
      if (!localName) return undefined;
      return {
        localName,
        localId: attr(file, 'localId'),
        group: childText(file, 'group'),
        description: childText(file, 'description'),
        signatures: children(file, 'signedData')
          .flatMap((data) => children(data, 'signerInfo'))
          .map((info) => attr(info, 'signature'))
          .filter((name): name is string => Boolean(name)),
      };
    })
    .filter((file): file is MedoFileRef => file !== undefined);

  return {
    uid: ownUid ?? headerUid,
    uidFromHeader: ownUid ? undefined : true,
    kind: childText(doc, 'kind') ?? childText(doc, 'type'),
    number: childText(doc, 'num', 'number'),
    date: normaliseDate(childText(doc, 'num', 'date')),
    annotation: childText(doc, 'annotation'),
    addressees: children(child(doc, 'addressees'), 'addressee').map(partner),
    links: children(child(doc, 'links'), 'link').map((link) => {
      const target = child(link, 'reference') ?? child(link, 'document');
      return {
        uid: normaliseGuid(attr(link, 'uid')),
        linkType: childText(link, 'linkType'),
        number: childText(target, 'num', 'number'),
        date: normaliseDate(childText(target, 'num', 'date')),
      };
    }),
    files,
  };
}

const NOTIFICATION_KINDS: Record<string, string> = {
  documentaccepted: 'Зарегистрирован',
  documentrefused: 'Отказано в регистрации',
  executorassigned: 'Назначен исполнитель',
  reportprepared: 'Доклад подготовлен',
  reportsent: 'Доклад направлен',
  coursechanged: 'Исполнение',
  documentpublished: 'Опубликование',
};

function readNotification(root: XmlNode): MedoNotificationInfo {
  const node = child(root, 'notification');
  if (!node) throw missing('notification element', 'уведомления (notification)');
  // Own keys only: an element named <constructor> or <toString> is no event (its «type» was a function).
  const eventName = childNames(node).find((name) => Object.hasOwn(NOTIFICATION_KINDS, name.toLowerCase()));
  const event = eventName ? child(node, eventName) : undefined;
  const type = attr(node, 'type') ?? (eventName ? NOTIFICATION_KINDS[eventName.toLowerCase()] : undefined);
  if (!type) throw missing('notification type', 'типа уведомления');
  return {
    type,
    documentUid: normaliseGuid(attr(node, 'uid')),
    messageUid: normaliseGuid(attr(node, 'mid')),
    time: normaliseInstant(childText(event, 'time')),
    number: childText(event, 'num', 'number'),
    date: normaliseDate(childText(event, 'num', 'date')),
    reason: childText(event, 'reason'),
    comment: childText(node, 'comment') ?? childText(event, 'comment'),
  };
}

function readAcknowledgment(root: XmlNode): MedoAcknowledgmentInfo {
  const node = child(root, 'acknowledgment');
  if (!node) throw missing('acknowledgment element', 'квитанции (acknowledgment)');
  const accepted = childText(node, 'accepted')?.toLowerCase();
  return {
    messageUid: normaliseGuid(attr(node, 'uid')),
    time: normaliseInstant(childText(node, 'time')),
    // A receipt says "received" unless it says otherwise.
    accepted: !(accepted === 'false' || accepted === '0'),
    comment: childText(node, 'comment'),
  };
}

/** What a 2.7 transport container's description file says about the document inside. */
export interface ContainerDescription {
  uid?: string;
  kind?: string;
  annotation?: string;
  senderOrganisation?: string;
  number?: string;
  date?: string;
  addressees: MedoPartner[];
  /** Files the description names, with our label of what each is. */
  files: { localName: string; role: 'document' | 'attachment' | 'signature' | 'stamp' | 'other' }[];
}

/**
 * Reads the description file of a 2.7 transport container (root `container`, namespace
 * http://minsvyaz.ru/container in the wild). Assumed layout, from real senders' code: `@uid` (the
 * document), `requisites/documentKind`, `requisites/annotation`, `authors/author/organization/title`,
 * `authors/author/registration/number|date`, `addressees/addressee/organization/title`,
 * `document/@localName`, `attachments/attachment/@localName`, signatures and stamps as `@localName` on
 * elements named *Signature / *Stamp. Every element is optional here.
 */
export function parseContainerDescription(text: string): ContainerDescription {
  const { rootName, root } = parseXml(text, 'the container description');
  if (rootName.toLowerCase() !== 'container') {
    throw new PackageRejected(
      'missing-passport',
      `the transport container's description has the root <${rootName}>, not <container>`,
      `Файл описания транспортного контейнера имеет корень <${rootName}>, а не <container>`,
    );
  }
  const author = child(root, 'authors', 'author');
  const files = findWithAttribute(root, 'localName').map(({ node, path }) => {
    const name = (path[path.length - 1] ?? '').toLowerCase();
    const role: ContainerDescription['files'][number]['role'] =
      name === 'document'
        ? 'document'
        : name === 'attachment'
          ? 'attachment'
          : name.endsWith('signature')
            ? 'signature'
            : name.endsWith('stamp')
              ? 'stamp'
              : 'other';
    return { localName: attr(node, 'localName')!, role };
  });
  return {
    uid: normaliseGuid(attr(root, 'uid')),
    kind: childText(root, 'requisites', 'documentKind'),
    annotation: childText(root, 'requisites', 'annotation'),
    senderOrganisation: childText(author, 'organization', 'title') ?? childText(author, 'organization'),
    number: childText(author, 'registration', 'number'),
    date: normaliseDate(childText(author, 'registration', 'date')),
    addressees: children(child(root, 'addressees'), 'addressee').map((node) => ({
      uid: normaliseGuid(attr(node, 'uid')),
      organisation: childText(node, 'organization', 'title') ?? textOf(child(node, 'organization')),
    })),
    files,
  };
}
