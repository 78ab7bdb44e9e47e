import { constants, promises as fs } from 'node:fs';
import { join, posix } from 'node:path';
import { type Clock, JsonLogger, SystemClock } from '@inbox/common';
import {
  Channel,
  type ChannelAccountRef,
  type Connector,
  ConnectorError,
  ConnectorErrorCode,
  type DeliveryReceipt,
  type DropsRepeatedSends,
  type InboundEvent,
  type InboundItem,
  type OutboundMessage,
  type PullPage,
  errorSummary,
  unreadableItemReason,
} from '@inbox/integrations/contract';
import { fsError, isNotFound, type MedoRejectCode, PackageRejected } from './errors';
import {
  guidOfPackageName,
  type InboundPackage,
  readInboundPackage,
  toDeliveryState,
  toInboundItem,
} from './inbound';
import {
  listPackages,
  moveInto,
  type OutboundFile,
  type PackageEntry,
  type PackageLimits,
  quarantinePackage,
  writePackageAtomically,
} from './package-store';
import { normaliseGuid } from './passport';
import {
  buildAcknowledgmentPassport,
  buildDocumentPassport,
  buildNotificationPassport,
  isRefusalReason,
  MEDO_REFUSAL_REASONS,
  type MedoParty,
  type MedoRefusalReason,
  type NotificationPassportInput,
} from './passport-writer';
import { type MedoSettings, settingsOf } from './settings';
import { uuidV5 } from './uuid';
import { isKnownZone, localDate } from './zones';

/** A package moved to quarantine during a pull. */
export interface MedoRejected {
  /** The header uid when the passport could be read that far (or the GUID the package is named by). */
  externalId?: string;
  code: MedoRejectCode | 'unreadable';
  /** Russian, for the clerk who sees the quarantine (as in the reason file). Never carries document content. */
  reason: string;
  /** English, for logs and dashboards. */
  detail: string;
  packageName: string;
  /** Where the package is now. */
  quarantinedAs: string;
}

/** A package read fine that carries nothing for the core (e.g. «Назначен исполнитель»); moved to processedDir. */
export interface MedoIgnored {
  externalId: string;
  packageName: string;
  reason: string;
}

export interface MedoPullPage extends PullPage {
  rejected: MedoRejected[];
  ignored: MedoIgnored[];
}

export interface MedoCursor {
  lastScanAt: string;
}

export type MedoReceiptResult =
  | { registered: true; number: string; date: string; comment?: string }
  | { registered: false; reason: MedoRefusalReason; comment?: string };

export interface MedoReceiptPackages {
  /** Header uid of our «Квитанция». */
  acknowledgmentUid: string;
  /** Header uid of our «Уведомление». */
  notificationUid: string;
  /** Package folders written (or found already written by an earlier attempt). */
  packages: string[];
}

export interface MedoConnectorOptions {
  clock?: Clock;
  logger?: JsonLogger;
}

export const PASSPORT_FILE = 'passport.xml';
export const ANSWER_FILE = 'answer.txt';

const DEFAULT_PAGE = 50;
const SUPPORTED_KINDS: OutboundMessage['kind'][] = ['answer', 'status-notice', 'registration-notice'];

function defaultAnnotation(kind: OutboundMessage['kind'], original: string | undefined): string {
  if (kind === 'status-notice')
    return original ? `О ходе рассмотрения (к ${original})` : 'О ходе рассмотрения обращения';
  return original ? `Ответ на ${original}` : 'Ответ на обращение';
}

function invalid(message: string, fields: Record<string, string>): ConnectorError {
  return new ConnectorError(ConnectorErrorCode.InvalidPayload, message, { fields });
}

/** An IANA zone the runtime knows, or undefined. */
function zoneOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  return isKnownZone(value.trim()) ? value.trim() : undefined;
}

function formatRuDate(date: string | undefined): string | undefined {
  const match = date ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  return match ? `${match[3]}.${match[2]}.${match[1]}` : date;
}

function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** The parts of an inbound item's reply address that answering needs, checked. */
function replyAddressOf(raw: unknown, need: { headerUid: boolean; documentUid: boolean }) {
  const value = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  const sourceUid = normaliseGuid(str(value.sourceUid));
  const sourceOrganisation = str(value.sourceOrganisation);
  const documentUid = normaliseGuid(str(value.documentUid));
  const headerUid = normaliseGuid(str(value.headerUid));
  if (!sourceUid) fields['replyAddress.sourceUid'] = 'the sender participant GUID is required';
  if (!sourceOrganisation) fields['replyAddress.sourceOrganisation'] = 'the sender organisation is required';
  if (need.documentUid && !documentUid)
    fields['replyAddress.documentUid'] = 'the original document GUID is required';
  if (need.headerUid && !headerUid)
    fields['replyAddress.headerUid'] = 'the original message GUID is required';
  if (Object.keys(fields).length > 0) throw invalid('МЭДО: the reply address is incomplete', fields);
  const date = str(value.date);
  return {
    destination: { uid: sourceUid!, organisation: sourceOrganisation! } satisfies MedoParty,
    documentUid,
    headerUid,
    number: str(value.number),
    date: isIsoDate(date) ? date : undefined,
  };
}

/** A registration number fit for `num/number` (xsd:token, 1–31 characters). */
function registrationNumber(raw: unknown, field: string): string {
  const value = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : '';
  if (!value) throw invalid('МЭДО: our registration number is required', { [field]: 'is required' });
  if ([...value].length > 31)
    throw invalid('МЭДО: the registration number is too long', { [field]: 'at most 31 characters' });
  return value;
}

const RESERVED_NAMES = new Set([PASSPORT_FILE, ANSWER_FILE]);

/** A file name safe on the gateway's side: no paths, no characters Windows refuses, unique in the package. */
function safeFileName(raw: string, index: number, taken: Set<string>): string {
  let name = posix
    .basename(raw.replace(/\\/g, '/'))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f<>:"/\\|?*]/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '');
  if (!name) name = `attachment-${index + 1}`;
  if ([...name].length > 200) {
    const ext = /\.[^.]{1,10}$/.exec(name)?.[0] ?? '';
    name = [...name].slice(0, 200 - ext.length).join('') + ext;
  }
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()) || RESERVED_NAMES.has(candidate.toLowerCase()); n++) {
    candidate = `${stem} (${n})${ext}`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

/**
 * МЭДО (interdepartmental electronic document exchange) through the gateway's exchange folders: one
 * folder or `.zip` per package, an xdms passport inside. «Документ» packages are 59-ФЗ appeals redirected
 * by other bodies; «Уведомление»/«Квитанция» are delivery states of what we sent. Packages stay in the
 * inbound folder until `acknowledge`, so a crash between pull and acknowledge re-reads them harmlessly;
 * unreadable ones are moved to quarantine with a reason file, never deleted.
 */
export class MedoConnector implements Connector, DropsRepeatedSends {
  /** The package uid comes from our message id, and a package already written is not written again. */
  readonly dropsRepeatedSends = true;

  readonly channel = Channel.Medo;
  readonly mode = 'pull' as const;

  private readonly clock: Clock;
  private readonly logger: JsonLogger;
  /** Per account: externalId → package paths returned by a pull and not yet acknowledged. A cache only. */
  private readonly pending = new Map<string, Map<string, Set<string>>>();

  constructor(options: MedoConnectorOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? new JsonLogger('medo-connector');
  }

  async check(account: ChannelAccountRef): Promise<void> {
    const settings = settingsOf(account);
    for (const [dir, what, create] of [
      [settings.inboundDir, 'the inbound folder', false],
      [settings.outboundDir, 'the outbound folder', false],
      [settings.quarantineDir, 'the quarantine folder', true],
      [settings.processedDir, 'the processed folder', true],
    ] as const) {
      try {
        if (create) await fs.mkdir(dir, { recursive: true });
        const stat = await fs.stat(dir);
        if (!stat.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
        await fs.access(dir, constants.R_OK | constants.W_OK);
      } catch (error) {
        throw fsError(error, what);
      }
    }
  }

  async pull(account: ChannelAccountRef, cursor: unknown, limit: number): Promise<MedoPullPage> {
    parseCursor(cursor);
    const settings = settingsOf(account);
    const scanAt = this.clock.now();
    const pageSize = Math.max(1, Math.floor(Number(limit)) || DEFAULT_PAGE);

    let entries: PackageEntry[];
    try {
      entries = await listPackages(settings.inboundDir, ownFolders(settings));
    } catch (error) {
      throw fsError(error, 'the inbound folder');
    }
    // File times come from the filesystem's clock, not ours.
    const settledBefore = Date.now() - settings.settleMs;
    // mtimes carry fractions of a millisecond and Date.now() does not: a package written this very
    // millisecond would otherwise look as if it were written in the future.
    const ready = entries.filter((entry) => Math.floor(entry.newestMtimeMs) <= settledBefore);
    const batch = ready.slice(0, pageSize);

    const items: InboundItem[] = [];
    const events: InboundEvent[] = [];
    const rejected: MedoRejected[] = [];
    const ignored: MedoIgnored[] = [];
    const seen = new Set<string>();
    const pending = this.pendingFor(account.id);

    for (const entry of batch) {
      let pkg: InboundPackage;
      try {
        pkg = await readInboundPackage(entry, limitsOf(settings));
      } catch (error) {
        if (isNotFound(error)) continue; // taken away while we read it
        // The folder failing us (a system call's error) is the account's trouble; anything else is this package's.
        if (
          !(error instanceof PackageRejected) &&
          typeof (error as NodeJS.ErrnoException)?.syscall === 'string'
        ) {
          throw fsError(error, `package ${entry.name}`);
        }
        rejected.push(await this.quarantine(account, settings, entry, error));
        continue;
      }

      const externalId = pkg.message.header.uid;
      let mapped: { item?: InboundItem; event?: InboundEvent };
      try {
        mapped =
          pkg.message.kind === 'document' || pkg.message.kind === 'container'
            ? { item: toInboundItem(pkg, settings.ourParticipantUid, scanAt) }
            : { event: toDeliveryState(pkg) };
      } catch (error) {
        // A package read but our mapping trips over it (a bug, a shape never seen): to the quarantine with the
        // reason, so it neither stops the packages after it nor is read again on every pull.
        rejected.push(await this.quarantine(account, settings, entry, error));
        continue;
      }
      if (mapped.item) {
        if (!seen.has(externalId)) items.push(mapped.item);
      } else {
        const event = mapped.event;
        if (!event) {
          const reason =
            pkg.message.kind === 'notification'
              ? `notification «${pkg.message.notification.type}» carries no delivery state`
              : 'nothing to report';
          await this.moveToProcessed(settings, entry.path);
          ignored.push({ externalId, packageName: entry.name, reason });
          this.logger.info('МЭДО package has nothing for the core; moved to processed', {
            account: account.id,
            package: entry.name,
            externalId,
          });
          continue;
        }
        if (!seen.has(externalId)) events.push(event);
      }
      seen.add(externalId);
      const paths = pending.get(externalId) ?? new Set<string>();
      paths.add(entry.path);
      pending.set(externalId, paths);
    }

    return {
      items,
      events,
      rejected,
      ignored,
      nextCursor: { lastScanAt: scanAt.toISOString() } satisfies MedoCursor,
      hasMore: ready.length > batch.length,
    };
  }

  /**
   * The core has stored the items and events with these externalIds (header uids): their packages move
   * to processedDir. Unknown ids (a restart since the pull) are looked up in the inbound folder; ids
   * already moved are ignored, so acknowledging twice is harmless.
   */
  async acknowledge(account: ChannelAccountRef, externalIds: string[]): Promise<void> {
    const settings = settingsOf(account);
    const pending = this.pendingFor(account.id);
    const wanted = new Set(externalIds.map((id) => normaliseGuid(id) ?? id));
    const unknown = new Set<string>();
    for (const id of wanted) {
      const paths = pending.get(id);
      if (!paths) {
        unknown.add(id);
        continue;
      }
      for (const path of paths) await this.moveToProcessed(settings, path);
      pending.delete(id);
    }
    if (unknown.size === 0) return;

    let entries: PackageEntry[];
    try {
      entries = await listPackages(settings.inboundDir, ownFolders(settings));
    } catch (error) {
      throw fsError(error, 'the inbound folder');
    }
    // Packages are usually named by their header uid: look at those first. The passport decides either
    // way, so a package that merely shares a name is never moved unread.
    const named = (entry: PackageEntry) => unknown.has(guidOfPackageName(entry.name) ?? '');
    const candidates = [...entries.filter(named), ...entries.filter((entry) => !named(entry))];
    const found = new Set<string>();
    for (const entry of candidates) {
      if (entry.kind === 'file') continue;
      if (!named(entry) && [...unknown].every((id) => found.has(id))) break;
      const pkg = await readInboundPackage(entry, limitsOf(settings)).catch(() => undefined);
      const uid = pkg?.message.header.uid;
      if (uid && unknown.has(uid)) {
        await this.moveToProcessed(settings, entry.path);
        found.add(uid);
      }
    }
  }

  /**
   * An answer goes out as a «Документ» «Письмо» «В ответ на» the original, with our registration
   * number; a registration notice as «Квитанция» + «Уведомление» (see acknowledgeReceipt). The package
   * is a folder `<uid>_<our participant uid>` with passport.xml (UTF-8), answer.txt and the attachments.
   * Idempotent on the message id: the uid is derived from it, and a package already written is not
   * written again.
   */
  async send(account: ChannelAccountRef, message: OutboundMessage): Promise<DeliveryReceipt> {
    const settings = settingsOf(account);
    if (!SUPPORTED_KINDS.includes(message.kind)) {
      throw invalid(`МЭДО carries no «${message.kind}» messages`, {
        kind: `one of ${SUPPORTED_KINDS.join(', ')}`,
      });
    }
    const now = this.clock.now();
    // Dates are days in the registering organisation's zone (an appeal registered on 2 December in Novosibirsk
    // is dated 2 December, not Moscow's 1 December); the account's zone only when the core names none.
    const zone = zoneOf(message.references?.timeZone) ?? settings.timeZone;
    if (message.kind === 'registration-notice') {
      const number = registrationNumber(
        message.references?.registrationNumber,
        'references.registrationNumber',
      );
      const registeredAt = message.references?.registeredAt ? new Date(message.references.registeredAt) : now;
      const result = await this.acknowledgeReceipt(account, message.replyAddress, {
        registered: true,
        number,
        date: localDate(Number.isNaN(registeredAt.getTime()) ? now : registeredAt, zone),
      });
      return { remoteId: result.notificationUid, sentAt: now.toISOString() };
    }

    const reply = replyAddressOf(message.replyAddress, { headerUid: false, documentUid: false });
    const number = registrationNumber(
      message.references?.registrationNumber,
      'references.registrationNumber',
    );
    const text = message.text?.trim();
    if (!text) throw invalid('МЭДО: the answer has no text', { text: 'is required' });

    const taken = new Set<string>();
    const attachmentFiles: OutboundFile[] = (message.attachments ?? []).map((attachment, i) => {
      if (typeof attachment.contentBase64 !== 'string' || !BASE64.test(attachment.contentBase64)) {
        throw invalid('МЭДО: an attachment is not base64', {
          [`attachments.${i}`]: 'contentBase64 is not base64',
        });
      }
      return {
        name: safeFileName(attachment.fileName ?? '', i, taken),
        data: Buffer.from(attachment.contentBase64, 'base64'),
      };
    });
    // Windows SEDs open .txt files: CRLF line ends and a BOM so the UTF-8 is recognised.
    const answer = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8'),
    ]);
    const total = answer.length + attachmentFiles.reduce((sum, file) => sum + file.data.length, 0);
    if (total > settings.maxPackageBytes) {
      throw invalid('МЭДО: the package would be too large', {
        attachments: `at most ${settings.maxPackageBytes} bytes in all`,
      });
    }

    const uid = uuidV5(`${account.id}:${message.id}:document`);
    const date = localDate(now, zone);
    const us: MedoParty = { uid: settings.ourParticipantUid, organisation: settings.ourOrganisationName };
    const original = reply.number
      ? `№ ${reply.number}${reply.date ? ` от ${formatRuDate(reply.date)}` : ''}`
      : undefined;
    const passport = buildDocumentPassport({
      // One uid for the message and the document: receipts name the message, notifications the document,
      // and both then match the remoteId we return.
      headerUid: uid,
      created: now,
      source: us,
      destination: reply.destination,
      document: {
        uid,
        kind: 'Письмо',
        number,
        date,
        annotation: message.subject?.trim() || defaultAnnotation(message.kind, original),
        signatory: { organisation: settings.ourOrganisationName, post: settings.signatoryPost, signed: date },
        pages: 1,
        links:
          reply.documentUid || reply.number
            ? [
                {
                  type: 'В ответ на',
                  uid: reply.documentUid,
                  organisation: reply.destination.organisation,
                  // documentReference requires a number; «б/н» (без номера) is the clerks' convention.
                  number: reply.number ?? 'б/н',
                  date: reply.date,
                },
              ]
            : [],
      },
      files: [
        { localName: ANSWER_FILE, group: 'Текст документа', description: 'Текст ответа' },
        ...attachmentFiles.map((file) => ({ localName: file.name, group: 'Текст приложения' as const })),
      ],
    });

    const name = `${uid}_${settings.ourParticipantUid}`;
    const written = await this.write(settings, name, [
      { name: PASSPORT_FILE, data: Buffer.from(passport, 'utf8') },
      { name: ANSWER_FILE, data: answer },
      ...attachmentFiles,
    ]);
    this.logger.info('МЭДО document package written', {
      account: account.id,
      outboundId: message.id,
      uid,
      created: written.created,
    });
    return { remoteId: uid, sentAt: now.toISOString() };
  }

  /**
   * Answers a received «Документ» the МЭДО way: a «Квитанция» (we received the message) and an
   * «Уведомление» «Зарегистрирован» with our number and date, or «Отказано в регистрации» with a reason
   * from MEDO_REFUSAL_REASONS. Both packages are written atomically; repeating the call writes nothing new.
   */
  async acknowledgeReceipt(
    account: ChannelAccountRef,
    replyAddress: Record<string, unknown> | undefined,
    result: MedoReceiptResult,
  ): Promise<MedoReceiptPackages> {
    const settings = settingsOf(account);
    const reply = replyAddressOf(replyAddress, { headerUid: true, documentUid: true });
    const outcome = receiptOutcome(result);

    const now = this.clock.now();
    const us: MedoParty = { uid: settings.ourParticipantUid, organisation: settings.ourOrganisationName };
    const acknowledgmentUid = uuidV5(`${account.id}:receipt:${reply.headerUid}`);
    const notificationUid = uuidV5(
      `${account.id}:notification:${reply.documentUid}:${outcome.registered ? 'registered' : 'refused'}`,
    );
    const receipt = buildAcknowledgmentPassport({
      headerUid: acknowledgmentUid,
      created: now,
      source: us,
      destination: reply.destination,
      acknowledgedUid: reply.headerUid!,
      time: now,
      accepted: true,
    });
    const notification = buildNotificationPassport({
      headerUid: notificationUid,
      created: now,
      source: us,
      destination: reply.destination,
      documentUid: reply.documentUid!,
      messageUid: reply.headerUid,
      time: now,
      result: outcome,
      comment: result.comment,
    });
    const packages: string[] = [];
    for (const [uid, xml] of [
      [acknowledgmentUid, receipt],
      [notificationUid, notification],
    ] as const) {
      const written = await this.write(settings, `${uid}_${settings.ourParticipantUid}`, [
        { name: PASSPORT_FILE, data: Buffer.from(xml, 'utf8') },
      ]);
      packages.push(written.path);
    }
    this.logger.info('МЭДО receipt and notification written', {
      account: account.id,
      acknowledgmentUid,
      notificationUid,
      registered: outcome.registered,
    });
    return { acknowledgmentUid, notificationUid, packages };
  }

  private async write(settings: MedoSettings, name: string, files: OutboundFile[]) {
    try {
      return await writePackageAtomically(settings.outboundDir, name, files, settings.stagingDir);
    } catch (error) {
      throw fsError(error, 'the outbound folder');
    }
  }

  private pendingFor(accountId: string): Map<string, Set<string>> {
    let map = this.pending.get(accountId);
    if (!map) this.pending.set(accountId, (map = new Map()));
    return map;
  }

  private async moveToProcessed(settings: MedoSettings, path: string): Promise<void> {
    try {
      await moveInto(path, settings.processedDir);
    } catch (error) {
      if (isNotFound(error)) return; // moved already
      throw fsError(error, 'the processed folder');
    }
  }

  private async quarantine(
    account: ChannelAccountRef,
    settings: MedoSettings,
    entry: PackageEntry,
    error: unknown,
  ): Promise<MedoRejected> {
    const rejection = error instanceof PackageRejected ? error : undefined;
    const code = rejection?.code ?? 'unreadable';
    const reason = rejection?.reason ?? `unexpected error while reading the package: ${errorSummary(error)}`;
    const reasonRu = rejection?.reasonRu ?? unreadableItemReason('Пакет МЭДО', error);
    const externalId = rejection?.externalId ?? guidOfPackageName(entry.name);
    const text = [
      `Пакет МЭДО помещён в карантин / МЭДО package quarantined`,
      `Пакет / Package: ${entry.name}`,
      ...(externalId ? [`Идентификатор сообщения / Message uid: ${externalId}`] : []),
      `Время / Time: ${this.clock.now().toISOString()}`,
      `Код / Code: ${code}`,
      `Причина: ${reasonRu}`,
      `Reason: ${reason}`,
      '',
      'Пакет не удалён. Исправьте его и верните в папку входящих, либо обработайте вручную.',
      'The package was not deleted. Fix it and move it back to the inbound folder, or handle it by hand.',
      '',
    ].join('\r\n');
    let quarantinedAs: string;
    try {
      quarantinedAs = await quarantinePackage(entry, settings.quarantineDir, text);
    } catch (moveError) {
      throw fsError(moveError, 'the quarantine folder');
    }
    this.logger.warn('МЭДО package quarantined', {
      account: account.id,
      package: entry.name,
      code,
      externalId,
    });
    return {
      ...(externalId ? { externalId } : {}),
      code,
      reason: reasonRu,
      detail: reason,
      packageName: entry.name,
      quarantinedAs,
    };
  }
}

function receiptOutcome(result: MedoReceiptResult): NotificationPassportInput['result'] {
  if (result.registered) {
    if (!isIsoDate(result.date)) {
      throw invalid('МЭДО: the registration date must be YYYY-MM-DD', { 'result.date': 'YYYY-MM-DD' });
    }
    return {
      registered: true,
      number: registrationNumber(result.number, 'result.number'),
      date: result.date,
    };
  }
  if (!isRefusalReason(result.reason)) {
    throw invalid('МЭДО: the refusal reason is not in the closed list', {
      'result.reason': `one of: ${MEDO_REFUSAL_REASONS.join('; ')}`,
    });
  }
  return { registered: false, reason: result.reason };
}

function limitsOf(settings: MedoSettings): PackageLimits {
  return {
    maxPackageBytes: settings.maxPackageBytes,
    maxUnzippedBytes: settings.maxUnzippedBytes,
    maxFiles: settings.maxFiles,
    maxCompressionRatio: settings.maxCompressionRatio,
  };
}

/** Our folders may live inside the inbound folder; they are never packages. */
function ownFolders(settings: MedoSettings): string[] {
  return [settings.outboundDir, settings.quarantineDir, settings.processedDir, settings.stagingDir]
    .filter((dir): dir is string => !!dir)
    .map((dir) => join(dir));
}

function parseCursor(cursor: unknown): MedoCursor | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const value = cursor as Partial<MedoCursor>;
  if (
    typeof cursor !== 'object' ||
    (value.lastScanAt !== undefined && Number.isNaN(Date.parse(String(value.lastScanAt))))
  ) {
    throw new ConnectorError(ConnectorErrorCode.CursorInvalid, 'МЭДО cursor must be { lastScanAt }');
  }
  return value.lastScanAt ? { lastScanAt: value.lastScanAt } : undefined;
}
