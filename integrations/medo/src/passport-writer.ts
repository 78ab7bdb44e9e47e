import { escapeAttribute, escapeText } from './xml';

export const XDMS_NAMESPACE = 'http://www.infpres.com/IEDMS';
/** The schema our output is validated against (IEDMS-2.6.xsd). */
export const OUTPUT_VERSION = '2.6';

/**
 * Reasons for refusing registration («Отказано в регистрации»): the closed list `reasonForRejection`
 * of IEDMS-2.6.xsd, verbatim. A notification with any other reason is not schema-valid.
 */
export const MEDO_REFUSAL_REASONS = [
  'Не подлежит регистрации',
  'Ошибка адресации',
  'Не указан корреспондент',
  'Нет искового заявления',
  'Отсутствует текст',
  'Нет подписи',
  'Приложение отсутствует',
  'Листаж приложения указан ошибочно',
  'Несовпадение реквизитов приложения с приложенными документами',
  'Нет № и даты',
  'Не полная комплектация',
  'Дата документа неразборчива',
  'Исходящий номер документа неразборчив',
  'Отсутствует (не видна) подпись',
  'Перевернуты страницы',
  'Продублированы страницы',
  'В приложении проект нормативного акта',
  'Документ ДСП',
  'Документ и/или приложение отсканированы с оборотом',
  'Документ неверно адресован',
  'Документ получен ранее на бумажном носителе',
  'Документ зарегистрирован ранее, текст взамен разосланного загружен',
  'Количество страниц в тексте документа не соответствует заявленному',
  'Несоответствие переданных реквизитов тексту документа',
  'Отсутствует приложение, указанное в документе',
  'Текст неразборчив',
  'Текст отсутствует',
  'Текст не соответствует регламенту',
] as const;

export type MedoRefusalReason = (typeof MEDO_REFUSAL_REASONS)[number];

export function isRefusalReason(value: unknown): value is MedoRefusalReason {
  return typeof value === 'string' && (MEDO_REFUSAL_REASONS as readonly string[]).includes(value);
}

/** The link types of the schema (`linkType`). */
export type MedoLinkType =
  | 'В ответ на'
  | 'Во исполнение'
  | 'Документ-основание'
  | 'На №'
  | 'Ответ'
  | 'Связан с';

/** File groups of the schema (`fileGroup`). */
export type MedoFileGroup = 'Текст документа' | 'Текст приложения' | 'Данные';

export interface MedoParty {
  /** Participant GUID. */
  uid: string;
  organisation: string;
}

export interface DocumentPassportInput {
  headerUid: string;
  created: Date;
  source: MedoParty;
  /** Who the gateway delivers to (also the document's addressee). */
  destination: MedoParty;
  document: {
    uid: string;
    kind: string;
    number: string;
    /** YYYY-MM-DD. */
    date: string;
    annotation: string;
    signatory: { organisation: string; post?: string; signed: string };
    pages: number;
    links: { type: MedoLinkType; uid?: string; organisation?: string; number: string; date?: string }[];
  };
  files: { localName: string; group: MedoFileGroup; description?: string }[];
}

export interface AcknowledgmentPassportInput {
  headerUid: string;
  created: Date;
  source: MedoParty;
  destination: MedoParty;
  /** Header uid of the message being acknowledged. */
  acknowledgedUid: string;
  time: Date;
  accepted: boolean;
  comment?: string;
}

export interface NotificationPassportInput {
  headerUid: string;
  created: Date;
  source: MedoParty;
  destination: MedoParty;
  /** The document the notification is about. */
  documentUid: string;
  /** Header uid of the message that brought the document. */
  messageUid?: string;
  time: Date;
  result:
    | { registered: true; number: string; date: string }
    | { registered: false; reason: MedoRefusalReason };
  comment?: string;
}

/** xsd:token / normalizedString values: whitespace collapsed, cut to the schema's length. */
function token(value: string, max: number): string {
  const collapsed = value.replace(/\s+/g, ' ').trim();
  return [...collapsed].slice(0, max).join('');
}

function cut(value: string, max: number): string {
  const chars = [...value.trim()];
  return chars.length <= max ? chars.join('') : chars.slice(0, max - 1).join('') + '…';
}

function dateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const FILE_TYPES: Record<string, string> = {
  pdf: 'pdf',
  tif: 'tif',
  tiff: 'tif',
  doc: 'doc',
  txt: 'txt',
  xml: 'xml',
};

/** A tiny element writer: `x` for qualified names, empty values never written (МЭДО forbids empty elements). */
class Xml {
  private readonly lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  private depth = 0;

  open(name: string, attrs: Record<string, string | undefined> = {}, extra = ''): this {
    this.lines.push(`${'  '.repeat(this.depth)}<xdms:${name}${this.attrs(attrs)}${extra}>`);
    this.depth++;
    return this;
  }

  close(name: string): this {
    this.depth--;
    this.lines.push(`${'  '.repeat(this.depth)}</xdms:${name}>`);
    return this;
  }

  leaf(name: string, value: string | undefined, attrs: Record<string, string | undefined> = {}): this {
    if (value === undefined || value === '') return this;
    this.lines.push(
      `${'  '.repeat(this.depth)}<xdms:${name}${this.attrs(attrs)}>${escapeText(value)}</xdms:${name}>`,
    );
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }

  private attrs(attrs: Record<string, string | undefined>): string {
    // attributeFormDefault="qualified": every attribute carries the xdms prefix.
    return Object.entries(attrs)
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([key, value]) => ` xdms:${key}="${escapeAttribute(value!)}"`)
      .join('');
  }
}

function begin(type: string, headerUid: string, created: Date, source: MedoParty): Xml {
  const xml = new Xml();
  xml.open('communication', { version: OUTPUT_VERSION }, ` xmlns:xdms="${XDMS_NAMESPACE}"`);
  xml.open('header', { type, uid: headerUid, created: dateTime(created) });
  xml
    .open('source', { uid: source.uid })
    .leaf('organization', token(source.organisation, 511))
    .close('source');
  xml.close('header');
  return xml;
}

function finish(xml: Xml, destination: MedoParty): string {
  xml.open('deliveryIndex').open('destination');
  xml
    .open('destination', { uid: destination.uid })
    .leaf('organization', token(destination.organisation, 511));
  xml.close('destination').close('destination').close('deliveryIndex');
  xml.close('communication');
  return xml.toString();
}

/** An outgoing «Документ» passport (UTF-8), valid against IEDMS-2.6.xsd. */
export function buildDocumentPassport(input: DocumentPassportInput): string {
  const { document: doc } = input;
  const xml = begin('Документ', input.headerUid, input.created, input.source);
  xml.open('document', { uid: doc.uid });
  xml.leaf('kind', token(doc.kind, 511));
  xml.open('num').leaf('number', token(doc.number, 31)).leaf('date', doc.date).close('num');
  xml.open('signatories').open('signatory');
  xml.leaf('organization', token(doc.signatory.organisation, 511));
  if (doc.signatory.post) xml.leaf('post', token(doc.signatory.post, 511));
  xml.leaf('signed', doc.signatory.signed);
  xml.close('signatory').close('signatories');
  xml.open('addressees').open('addressee', { uid: input.destination.uid });
  xml.leaf('organization', token(input.destination.organisation, 511));
  xml.close('addressee').close('addressees');
  xml.leaf('pages', String(Math.max(0, Math.floor(doc.pages))));
  xml.leaf('annotation', cut(doc.annotation, 4000));
  if (doc.links.length > 0) {
    xml.open('links');
    for (const link of doc.links) {
      xml.open('link', { uid: link.uid }).leaf('linkType', link.type).open('reference');
      if (link.organisation) xml.leaf('organization', token(link.organisation, 511));
      xml.open('num').leaf('number', token(link.number, 31)).leaf('date', link.date).close('num');
      xml.close('reference').close('link');
    }
    xml.close('links');
  }
  const textIds = input.files
    .map((file, i) => (file.group === 'Текст документа' ? String(i) : ''))
    .filter(Boolean);
  xml.leaf('files', textIds.join(' '));
  xml.close('document');

  xml.open('files');
  input.files.forEach((file, i) => {
    const ext = /\.([^.]+)$/.exec(file.localName)?.[1]?.toLowerCase() ?? '';
    xml.open('file', { localName: token(file.localName, 255), localId: String(i), type: FILE_TYPES[ext] });
    xml
      .leaf('group', file.group)
      .leaf('description', file.description ? cut(file.description, 511) : undefined);
    xml.close('file');
  });
  xml.close('files');
  return finish(xml, input.destination);
}

/** An outgoing «Квитанция» (receipt of a message). */
export function buildAcknowledgmentPassport(input: AcknowledgmentPassportInput): string {
  const xml = begin('Квитанция', input.headerUid, input.created, input.source);
  xml.open('acknowledgment', { uid: input.acknowledgedUid });
  xml.leaf('time', dateTime(input.time)).leaf('accepted', input.accepted ? 'true' : 'false');
  xml.leaf('comment', input.comment ? cut(input.comment, 2047) : undefined);
  xml.close('acknowledgment');
  return finish(xml, input.destination);
}

/** An outgoing «Уведомление»: «Зарегистрирован» with our number and date, or «Отказано в регистрации». */
export function buildNotificationPassport(input: NotificationPassportInput): string {
  const xml = begin('Уведомление', input.headerUid, input.created, input.source);
  const type = input.result.registered ? 'Зарегистрирован' : 'Отказано в регистрации';
  xml.open('notification', { type, uid: input.documentUid, mid: input.messageUid });
  if (input.result.registered) {
    xml.open('documentAccepted').leaf('time', dateTime(input.time));
    xml
      .open('num')
      .leaf('number', token(input.result.number, 31))
      .leaf('date', input.result.date)
      .close('num');
    xml.close('documentAccepted');
  } else {
    xml.open('documentRefused').leaf('time', dateTime(input.time)).leaf('reason', input.result.reason);
    xml.close('documentRefused');
  }
  xml.leaf('comment', input.comment ? cut(input.comment, 2047) : undefined);
  xml.close('notification');
  return finish(xml, input.destination);
}
