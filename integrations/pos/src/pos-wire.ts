/**
 * Everything the ПОС connector knows about ПОС's wire format: paths, query and form fields, JSON shapes,
 * event codes and the meaning of HTTP statuses. Replace this one file when the operator's specification
 * arrives; `pos.connector.ts` speaks only the neutral types declared here.
 *
 * Known from public client code of external systems (2022): the token endpoint and its form, the
 * reference-data paths under /inbox-service, the single-appeal path, the message and history field
 * names, the event codes, multipart upload returning `{ id }`, error bodies with `messages[]`.
 * DESIGNED here (not public): the feed (`GET …/appeals` with `updatedAfter`/`afterId` paging in a
 * Spring-style page `{ content, last }`), `updatedAt`, `regime`, `fastTrack`, `rating`, the events
 * endpoint taking status changes and answers, the `REGISTER` event, file download by id and the
 * `Idempotency-Key` header. Each designed item is marked DESIGNED below.
 */
import { decodeHtmlEntities, instantMsOf, safeFileName } from '@inbox/integrations/contract';

// ---------------------------------------------------------------------------------------------------
// Paths and headers
// ---------------------------------------------------------------------------------------------------

export const POS_PATHS = {
  token: '/user-service/oauth/token',
  regions: '/inbox-service/regions/all',
  subjects: (regionId: string) => `/inbox-service/subjects/region/${enc(regionId)}/all`,
  subsubjects: (subjectId: string, regionId: string) =>
    `/inbox-service/subsubjects/subject/${enc(subjectId)}/region/${enc(regionId)}`,
  /** Known: one appeal by id. */
  appeal: (posId: string) => `/appeal-service/external-appeal-system/appeals/${enc(posId)}`,
  /** DESIGNED: the feed of messages addressed to our organisations, new and updated. */
  feed: '/appeal-service/external-appeal-system/appeals',
  /** DESIGNED: status changes and answers of one message. */
  events: (posId: string) => `/appeal-service/external-appeal-system/appeals/${enc(posId)}/events`,
  /** Known (multipart, field `file`, returns `{ id }`). */
  upload: '/file-storage-service/filestorage',
  /** DESIGNED: download by id. */
  file: (fileId: string) => `/file-storage-service/filestorage/${enc(fileId)}`,
} as const;

/** DESIGNED: ПОС de-duplicates writes carrying the same key (answers, status events, uploads). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Known: the multipart field of an upload. */
export const UPLOAD_FIELD = 'file';
/** Known: the OAuth scope the public clients ask for. */
const TOKEN_SCOPE = 'any';

function enc(value: string): string {
  return encodeURIComponent(value);
}

// ---------------------------------------------------------------------------------------------------
// Neutral types the connector works with
// ---------------------------------------------------------------------------------------------------

export interface PosCredentials {
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}

export interface PosToken {
  accessToken: string;
  expiresInSec: number;
}

/** Position in the feed: the last message's update instant (verbatim) and its id, for ties. */
export interface PosCursor {
  updatedAfter: string;
  afterId: string;
}

export interface PosRating {
  /** Stars, 1..max. */
  score: number;
  max: number;
  ratedAt: string;
  /** "Получен ли ответ на вопрос?" when ПОС asks it; absent otherwise. */
  answered?: boolean;
  satisfaction: 'satisfied' | 'partially' | 'not-satisfied';
  comment?: string;
}

export interface PosApplicant {
  epguId?: string;
  surname?: string;
  firstName?: string;
  patronymic?: string;
  email?: string;
  phone?: string;
  postalAddress?: string;
  /** «123-456-789 64»: eleven digits, written the usual way whatever form ПОС gave them in. */
  snils?: string;
}

/** A message decoded from the feed. */
export interface PosMessage {
  posId: string;
  text: string;
  createdAt: string;
  /** Where this message sits in the feed; absent when ПОС omits `updatedAt`. */
  position?: PosCursor;
  regime?: 'message' | 'appeal';
  fastTrack: boolean;
  attachmentIds: string[];
  /** File names ПОС gave with the ids, when it sent file objects. */
  attachmentNames?: Record<string, string>;
  location?: string;
  subject?: { id: string; name?: string };
  subsubject?: { id: string; name?: string };
  customFields: Record<string, string>;
  /** The recipient organisation with the requisites ПОС sends (`organizationInfo`). */
  organisation?: {
    id: string;
    name?: string;
    inn?: string;
    kpp?: string;
    ogrn?: string;
    oktmo?: string;
    address?: string;
  };
  status?: string;
  statusText?: string;
  plannedAnswerAt?: string;
  /** ПОС's own record of what happened to the message (`history[]`), oldest first as sent. */
  history: PosHistoryEntry[];
  /** Known from the public client: the fact (a "факт" of the feedback platform) the message belongs to. */
  factId?: string;
  /** Known from the public client: ПОС's warnings about the message, as text. */
  warnings: string[];
  applicant: PosApplicant;
  rating?: PosRating;
}

export interface PosHistoryEntry {
  status?: string;
  statusText?: string;
  createdAt?: string;
  /** Who at ПОС or at the organisation did it, as a name. */
  createdBy?: string;
  answer?: { answerType?: string; comment?: string; rejectReason?: string };
}

export type DecodedMessage =
  | { ok: true; message: PosMessage }
  | { ok: false; posId?: string; reason: string; position?: PosCursor };

export interface PosRubric {
  id: string;
  name: string;
  deleted: boolean;
}

export interface PosSubjectRubric extends PosRubric {
  /** The parent subject, when ПОС nests it in a subsubject. */
  subjectId?: string;
}

/** What the connector asks ПОС to record about a message (status change or answer). */
export interface PosEvent {
  kind: 'take-to-work' | 'postpone' | 'forward-up' | 'forward-down' | 'register' | 'answer' | 'reject';
  at: string;
  comment?: string;
  plannedAnswerAt?: string;
  organisationId?: string;
  attachmentIds?: string[];
  registrationNumber?: string;
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | URLSearchParams | FormData;
}

// ---------------------------------------------------------------------------------------------------
// Token
// ---------------------------------------------------------------------------------------------------

/** Known: OAuth2 password grant, form fields plus HTTP Basic client credentials. */
export function tokenRequest(credentials: PosCredentials): HttpRequestSpec {
  const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`, 'utf8').toString('base64');
  return {
    method: 'POST',
    path: POS_PATHS.token,
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({
      username: credentials.username,
      password: credentials.password,
      scope: TOKEN_SCOPE,
      grant_type: 'password',
    }),
  };
}

export function decodeToken(json: unknown): PosToken | undefined {
  if (!isRecord(json) || typeof json.access_token !== 'string' || json.access_token === '') return undefined;
  const expires = Number(json.expires_in);
  return {
    accessToken: json.access_token,
    expiresInSec: Number.isFinite(expires) && expires > 0 ? expires : 300,
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

// ---------------------------------------------------------------------------------------------------
// HTTP statuses
// ---------------------------------------------------------------------------------------------------

/** The token endpoint refuses bad user credentials with 400 invalid_grant, bad client ones with 401. */
export function isTokenRefusal(status: number): boolean {
  return status === 400 || status === 401 || status === 403;
}

/** A call the token no longer opens: re-authenticate once and retry. */
export function isAuthRejection(status: number): boolean {
  return status === 401 || status === 403;
}

/** DESIGNED: the feed answers 400 to a cursor it does not accept. */
export function isFeedCursorRejection(status: number): boolean {
  return status === 400;
}

/** Known: error bodies carry `messages[]` (appeal service) or `error_description` (OAuth). */
export function decodeErrorMessage(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  if (Array.isArray(json.messages) && typeof json.messages[0] === 'string') return json.messages[0];
  if (typeof json.error_description === 'string') return json.error_description;
  if (typeof json.error === 'string') return json.error;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------------------------------

export function decodeRubricList(json: unknown, what: string): PosSubjectRubric[] {
  // Known: plain arrays; tolerate a Spring page too.
  const list = Array.isArray(json)
    ? json
    : isRecord(json) && Array.isArray(json.content)
      ? json.content
      : undefined;
  if (!list) throw new WireError(`${what}: expected an array`);
  return list.map((raw, index) => {
    if (!isRecord(raw)) throw new WireError(`${what}[${index}]: not an object`);
    const id = idOf(raw.id);
    if (id === undefined) throw new WireError(`${what}[${index}]: id missing`);
    const parent = isRecord(raw.subject) ? idOf(raw.subject.id) : undefined;
    return {
      id,
      name: typeof raw.name === 'string' ? raw.name.trim() : '',
      deleted: raw.deleted === true,
      ...(parent !== undefined ? { subjectId: parent } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Feed
// ---------------------------------------------------------------------------------------------------

/** DESIGNED: messages to our organisations updated after the cursor, ordered by (updatedAt, posId). */
export function feedRequest(opaIds: string[], cursor: PosCursor | undefined, limit: number): HttpRequestSpec {
  const query: Record<string, string> = {
    opaIds: opaIds.join(','),
    size: String(limit),
    sort: 'updatedAt,posId',
  };
  if (cursor) {
    query.updatedAfter = cursor.updatedAfter;
    query.afterId = cursor.afterId;
  }
  return { method: 'GET', path: POS_PATHS.feed, query, headers: { accept: 'application/json' } };
}

/** DESIGNED: a Spring-style page. `last` says whether more is waiting now. */
export function decodeFeedPage(json: unknown): { entries: unknown[]; last?: boolean } {
  // A bare array, as ПОС's known lists are: a page whose end its length tells (fewer than asked for).
  if (Array.isArray(json)) return { entries: json };
  if (!isRecord(json) || !Array.isArray(json.content))
    throw new WireError('feed page: "content" array missing');
  return { entries: json.content, last: typeof json.last === 'boolean' ? json.last : undefined };
}

/**
 * Where an entry sits in the feed and its posId, read apart from the rest of it: for an entry whose decoding failed
 * in a way decodeMessage did not foresee, so the cursor still moves past it. Undefined when even these cannot be read.
 */
export function feedPositionOf(raw: unknown): { posId?: string; position?: PosCursor } {
  if (!isRecord(raw)) return {};
  const posId = idOf(raw.posId);
  try {
    const at = feedInstantOf(raw);
    return { posId, position: posId !== undefined && at ? { updatedAfter: at, afterId: posId } : undefined };
  } catch {
    return { posId };
  }
}

/**
 * One feed entry as a message. `receivedAt`: when we read it, the creation instant of last resort (see creationOf).
 */
export function decodeMessage(raw: unknown, receivedAt: Date = new Date()): DecodedMessage {
  if (!isRecord(raw)) return { ok: false, reason: 'Запись ленты ПОС — не сообщение (не объект JSON)' };
  const posId = idOf(raw.posId);
  // The cursor keeps ПОС's own spelling of the instant, so no precision is lost on the way back.
  const at = feedInstantOf(raw);
  const position = posId !== undefined && at ? { updatedAfter: at, afterId: posId } : undefined;
  const fail = (reason: string): DecodedMessage => ({ ok: false, posId, reason, position });

  if (posId === undefined) return fail('В сообщении ПОС нет идентификатора (posId)');
  const warnings = decodeWarnings(raw.warnings);
  const creation = creationOf(raw, receivedAt);
  if (creation.note) warnings.push(creation.note);
  const createdAt = creation.at;
  // A list as ПОС's client shows it; one id or one file object alone is read as a list of one. Anything else is
  // said on the message (a warning the clerk reads) rather than costing the citizen's words a quarantine.
  // `attachments` or `files` where an export names the list so: the citizen's files are not lost for a key's name.
  const listed = raw.attachmentIds ?? raw.attachments ?? raw.files;
  const entries: unknown[] =
    listed === undefined || listed === null ? [] : Array.isArray(listed) ? listed : [listed];
  // Ids as ПОС's client shows them, or file objects `{ id | fileId, name | fileName, … }`.
  const attachmentIds: string[] = [];
  const attachmentNames: Record<string, string> = {};
  let unreadFiles = 0;
  for (const entry of entries) {
    const id = isRecord(entry) ? idOf(entry.id ?? entry.fileId ?? entry.attachmentId) : idOf(entry);
    if (id === undefined) {
      unreadFiles += 1;
      continue;
    }
    attachmentIds.push(id);
    // No folders, control or bidi characters in a name a clerk reads and saves (safeFileName).
    const given = isRecord(entry) ? str(entry.name ?? entry.fileName ?? entry.originalName) : undefined;
    const name = given ? safeFileName(given) : undefined;
    if (name) attachmentNames[id] = name;
  }
  if (unreadFiles > 0) warnings.push(`Вложения ПОС не распознаны: ${unreadFiles}`);

  // A rating we cannot read (another scale, no date) is left out with a warning: the message itself still comes.
  let rating: PosRating | undefined;
  if (raw.rating !== undefined && raw.rating !== null) {
    const decoded = decodeRating(raw.rating);
    if (typeof decoded === 'string') warnings.push(`Оценка ПОС не распознана: ${decoded}`);
    else rating = decoded;
  }

  // A portal's form text may come HTML-escaped («&quot;», «&laquo;»): read as the citizen typed it.
  const description = unescaped(str(raw.description) ?? str(raw.text));
  const location = unescaped(str(raw.location));
  // `subjectId` + `subjectName` as the public client shows them, or `subject: { id, name }` as ПОС's reference data
  // writes a category (an export that embeds it); the same for the subsubject.
  const subjectRef = isRecord(raw.subject) ? raw.subject : {};
  const subsubjectRef = isRecord(raw.subsubject) ? raw.subsubject : {};
  const subjectId = idOf(raw.subjectId) ?? idOf(subjectRef.id);
  // No text but files, a place or a category: still the citizen's message, for a clerk to read.
  if (!description && attachmentIds.length === 0 && !location && subjectId === undefined)
    return fail('В сообщении ПОС нет ни текста (description), ни вложений, ни места, ни категории');

  const applicant = applicantOf(raw);
  const org = isRecord(raw.organizationInfo) ? raw.organizationInfo : {};
  const opaId = idOf(raw.opaId);
  const subsubjectId = idOf(raw.subsubjectId) ?? idOf(subsubjectRef.id);

  const message: PosMessage = {
    posId,
    text: description ?? 'Текст сообщения не передан ПОС: см. вложения и сведения о сообщении.',
    createdAt,
    position,
    regime: regimeOf(raw.regime),
    fastTrack: raw.fastTrack === true || raw.fastTrack === 'true' || raw.fastTrack === 1,
    attachmentIds,
    ...(Object.keys(attachmentNames).length > 0 ? { attachmentNames } : {}),
    location,
    subject:
      subjectId !== undefined
        ? { id: subjectId, name: str(raw.subjectName) ?? str(subjectRef.name) }
        : undefined,
    subsubject:
      subsubjectId !== undefined
        ? { id: subsubjectId, name: str(raw.subsubjectName) ?? str(subsubjectRef.name) }
        : undefined,
    customFields: decodeCustomFields(raw.customFieldValues),
    organisation:
      opaId !== undefined
        ? compactStrings({
            id: opaId,
            name: str(org.name),
            inn: idText(org.inn),
            kpp: idText(org.kpp),
            ogrn: idText(org.ogrn),
            oktmo: idText(org.oktmo),
            address: str(org.address),
          })
        : undefined,
    status: statusCodeOf(raw.status),
    statusText: str(raw.statusText) ?? statusNameOf(raw.status),
    plannedAnswerAt: instant(raw.answerAt),
    history: (Array.isArray(raw.history) ? raw.history : []).filter(isRecord).map(decodeHistoryEntry),
    factId: idOf(raw.factId),
    warnings,
    applicant: {
      epguId: idOf(applicant.epguId),
      surname: str(applicant.surname),
      firstName: str(applicant.name),
      patronymic: str(applicant.patronymic),
      email: str(applicant.email),
      phone: idText(applicant.phone),
      postalAddress: str(applicant.postAddress),
      snils: snilsOf(applicant.snils, warnings),
    },
    rating,
  };
  return { ok: true, message };
}

/**
 * DESIGNED: `rating: { value: 1..5, ratedAt, answered?, comment? }`, the stars the applicant gives the
 * answer on Gosuslugi. Mapped onto S4 п. 27.3: 4–5 satisfied, 3 partially, 1–2 not satisfied.
 */
function decodeRating(raw: unknown): PosRating | string {
  if (!isRecord(raw)) return 'оценка — не объект JSON';
  const value = Number(raw.value);
  if (!Number.isInteger(value) || value < 1 || value > RATING_MAX)
    return `значение оценки (rating.value) должно быть от 1 до ${RATING_MAX}`;
  const ratedAt = instant(raw.ratedAt);
  if (!ratedAt) return 'нет даты оценки (rating.ratedAt) или она не распознана';
  return {
    score: value,
    max: RATING_MAX,
    ratedAt,
    answered: typeof raw.answered === 'boolean' ? raw.answered : undefined,
    satisfaction: value >= 4 ? 'satisfied' : value === 3 ? 'partially' : 'not-satisfied',
    comment: str(raw.comment),
  };
}
const RATING_MAX = 5;

/**
 * Known name, shape guessed: `[{ id | fieldId, name?, value }]` or a plain map. Kept as strings for classification.
 * A value is what the citizen filled in on the form: a list (a multiple choice) is its items, a dictionary entry
 * (`{ id, name }`, an address `{ value, … }`) its words, anything else its JSON — never dropped for its shape.
 */
function decodeCustomFields(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      if (!isRecord(entry)) continue;
      const id = idOf(entry.id ?? entry.fieldId);
      const value = fieldValueText(entry.value ?? entry.values);
      if (id !== undefined && value !== undefined) out[id] = value;
    }
  } else if (isRecord(raw)) {
    for (const [key, given] of Object.entries(raw)) {
      const value = fieldValueText(given);
      if (value !== undefined) out[key] = value;
    }
  }
  return out;
}

/** How deep a custom field's value is read before it is kept as JSON. */
const MAX_FIELD_DEPTH = 3;

function fieldValueText(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (depth >= MAX_FIELD_DEPTH || (!Array.isArray(value) && !isRecord(value))) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => fieldValueText(v, depth + 1)).filter((v) => v !== undefined && v !== '');
    return items.length > 0 ? items.join(', ') : undefined;
  }
  const words = value.value ?? value.text ?? value.name ?? value.title ?? value.label;
  const read = words === undefined || words === null ? undefined : fieldValueText(words, depth + 1);
  return read ?? (Object.keys(value).length > 0 ? JSON.stringify(value) : undefined);
}

/**
 * When the citizen created the message. A message without `createdAt` (an export that leaves it out, a null, a date
 * nobody can read) is still the citizen's message: it is registered at the best instant there is — its first entry in
 * ПОС's history (the moderation that received it), else its last change there (`updatedAt`), else the moment we read
 * it — and a note, shown in the appeal's history with ПОС's warnings, says which one and why.
 */
function creationOf(raw: Record<string, unknown>, receivedAt: Date): { at: string; note?: string } {
  const given = instant(raw.createdAt);
  if (given) return { at: given };
  const missing =
    raw.createdAt === undefined || raw.createdAt === null || raw.createdAt === ''
      ? 'ПОС не передал дату создания сообщения (createdAt)'
      : 'Дата создания сообщения в ПОС (createdAt) не распознана';
  let first: number | undefined;
  for (const entry of Array.isArray(raw.history) ? raw.history : []) {
    const ms = isRecord(entry) ? instantMsOf(entry.createdAt, MOSCOW_OFFSET) : undefined;
    if (ms !== undefined && (first === undefined || ms < first)) first = ms;
  }
  if (first !== undefined)
    return {
      at: new Date(first).toISOString(),
      note: `${missing}: принята дата первой записи его истории в ПОС`,
    };
  const updated = instant(raw.updatedAt);
  if (updated) return { at: updated, note: `${missing}: принята дата последнего изменения сообщения в ПОС` };
  return { at: receivedAt.toISOString(), note: `${missing}: принято время получения сообщения из ПОС` };
}

/**
 * DESIGNED: where a message sits in the feed. `updatedAt` when ПОС sends it; a message without it (as the
 * appeal responses of the public client have none) sits at its newest `history[]` entry, else at `createdAt` —
 * so a page of such messages still moves the cursor instead of being read again on every pull.
 */
function feedInstantOf(raw: Record<string, unknown>): string | undefined {
  const updated = cursorInstant(raw.updatedAt);
  if (updated) return updated;
  let newest: { text: string; ms: number } | undefined;
  for (const entry of Array.isArray(raw.history) ? raw.history : []) {
    const at = isRecord(entry) ? cursorInstant(entry.createdAt) : undefined;
    if (!at) continue;
    const ms = Date.parse(at);
    if (!newest || ms > newest.ms) newest = { text: at, ms };
  }
  if (newest) return newest.text;
  return cursorInstant(raw.createdAt);
}

/**
 * An instant for the cursor: as ПОС spelt it when that reads back the same (no precision lost on the way back),
 * else as ISO 8601 (an epoch number, a Jackson array, a Russian date: Date.parse would misread them).
 */
function cursorInstant(value: unknown): string | undefined {
  const iso = instant(value);
  if (!iso) return undefined;
  return typeof value === 'string' && Date.parse(value) === Date.parse(iso) ? value : iso;
}

/** The feed's beginning: where ПОС lists a message it has no date for at all, before the first dated one. */
export const FEED_START = '1970-01-01T00:00:00.000Z';

/**
 * The place of a message that carries no date at all (no updatedAt, no dated history entry, no createdAt): where ПОС
 * listed it, after the position the feed stands at (the entry before it, the stored cursor, or the feed's beginning),
 * with its own posId. Without a place the cursor did not move over it, and a page of such messages came back on
 * every pull, holding back everything after it.
 */
export function undatedPosition(posId: string, standsAt: PosCursor | undefined): PosCursor {
  return { updatedAfter: standsAt?.updatedAfter ?? FEED_START, afterId: posId };
}

/** Orders feed positions as ПОС does: by update instant, then by numeric posId. */
export function comparePositions(a: PosCursor, b: PosCursor): number {
  const byTime = Date.parse(a.updatedAfter) - Date.parse(b.updatedAfter);
  if (byTime !== 0) return Math.sign(byTime);
  if (/^\d+$/.test(a.afterId) && /^\d+$/.test(b.afterId)) {
    const x = BigInt(a.afterId);
    const y = BigInt(b.afterId);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  return a.afterId === b.afterId ? 0 : a.afterId < b.afterId ? -1 : 1;
}

/** A stored cursor as we wrote it; anything else is refused (CursorInvalid). */
export function isCursor(value: unknown): value is PosCursor {
  return (
    isRecord(value) &&
    typeof value.updatedAfter === 'string' &&
    !Number.isNaN(Date.parse(value.updatedAfter)) &&
    typeof value.afterId === 'string' &&
    value.afterId.trim() !== ''
  );
}

// ---------------------------------------------------------------------------------------------------
// Events: status changes and answers
// ---------------------------------------------------------------------------------------------------

/** Known event codes, plus DESIGNED `REGISTER` (our registration number reached ПОС). */
const EVENT_CODES: Record<PosEvent['kind'], string> = {
  'take-to-work': 'TAKE_TO_WORK',
  postpone: 'POSTPONE',
  'forward-up': 'FORWARD_TO_PARENT',
  'forward-down': 'FORWARD_TO_SUBORDINATE',
  register: 'REGISTER',
  answer: 'SEND_RESPONSE',
  reject: 'SEND_RESPONSE',
};

/** DESIGNED body, reusing the field names of ПОС's `history[]` entries (`answer{answerType, comment}`, `answerAt`). */
export function eventRequest(posId: string, event: PosEvent, idempotencyKey: string): HttpRequestSpec {
  const body: Record<string, unknown> = { eventType: EVENT_CODES[event.kind], createdAt: event.at };
  if (event.comment !== undefined) body.comment = event.comment;
  if (event.kind === 'postpone') body.answerAt = event.plannedAnswerAt;
  if (event.kind === 'forward-up' || event.kind === 'forward-down') {
    if (event.organisationId !== undefined) body.opaId = numericIfPossible(event.organisationId);
  }
  if (event.kind === 'register' && event.registrationNumber) body.regNumber = event.registrationNumber;
  if (event.kind === 'answer' || event.kind === 'reject') {
    body.answer = {
      answerType: event.kind === 'answer' ? 'SOLVED' : 'REJECTED',
      comment: event.comment ?? '',
      attachmentIds: event.attachmentIds ?? [],
    };
    if (event.registrationNumber) body.regNumber = event.registrationNumber;
    delete body.comment;
  }
  return {
    method: 'POST',
    path: POS_PATHS.events(posId),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      [IDEMPOTENCY_HEADER]: idempotencyKey,
    },
    body: JSON.stringify(body),
  };
}

/** DESIGNED: `{ id, createdAt }` of the recorded event. */
export function decodeEventReceipt(json: unknown): { eventId?: string; createdAt?: string } {
  if (!isRecord(json)) return {};
  return { eventId: idOf(json.id), createdAt: instant(json.createdAt) };
}

/** Known: multipart upload under the field `file`; DESIGNED: the idempotency key. */
export function uploadRequest(
  file: { fileName: string; contentType: string; content: Buffer },
  idempotencyKey: string,
): HttpRequestSpec {
  const form = new FormData();
  form.append(UPLOAD_FIELD, new Blob([file.content], { type: file.contentType }), file.fileName);
  return {
    method: 'POST',
    path: POS_PATHS.upload,
    headers: { accept: 'application/json', [IDEMPOTENCY_HEADER]: idempotencyKey },
    body: form,
  };
}

/** DESIGNED: the file by id, its name in Content-Disposition. */
export function fileRequest(fileId: string): HttpRequestSpec {
  return { method: 'GET', path: POS_PATHS.file(fileId) };
}

export function rubricRequests(regionId: string) {
  return {
    regions: {
      method: 'GET',
      path: POS_PATHS.regions,
      headers: { accept: 'application/json' },
    } as HttpRequestSpec,
    subjects: {
      method: 'GET',
      path: POS_PATHS.subjects(regionId),
      headers: { accept: 'application/json' },
    } as HttpRequestSpec,
    subsubjects: (subjectId: string): HttpRequestSpec => ({
      method: 'GET',
      path: POS_PATHS.subsubjects(subjectId, regionId),
      headers: { accept: 'application/json' },
    }),
  };
}

/** Known: an upload answers `{ id }`. */
export function decodeUploadedFileId(json: unknown): string | undefined {
  return isRecord(json) ? idOf(json.id) : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/** A payload that does not match the expected shape; the connector turns it into InvalidPayload. */
export class WireError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

function decodeHistoryEntry(raw: Record<string, unknown>): PosHistoryEntry {
  // `{ surname, name, patronymic, … }` as the public client shows it; a name already written out is kept as it is.
  const by = isRecord(raw.createdBy) ? raw.createdBy : {};
  const name =
    str(raw.createdBy) ?? [str(by.surname), str(by.name), str(by.patronymic)].filter(Boolean).join(' ');
  const answer = isRecord(raw.answer) ? raw.answer : undefined;
  return compactStrings({
    status: statusCodeOf(raw.status),
    statusText: str(raw.statusText) ?? statusNameOf(raw.status),
    createdAt: instant(raw.createdAt),
    createdBy: name || undefined,
    answer: answer
      ? compactStrings({
          answerType: str(answer.answerType),
          comment: str(answer.comment),
          rejectReason: str(answer.rejectReason),
        })
      : undefined,
  });
}

/** `warnings` as ПОС may send them: strings, or objects with a message/text. */
function decodeWarnings(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list
    .map((w) => (isRecord(w) ? (str(w.message) ?? str(w.text) ?? JSON.stringify(w)) : str(w)))
    .filter((w): w is string => w !== undefined);
}

/**
 * The applicant's СНИЛС: eleven digits, with or without ПОС's «-» and space (or a JSON number, its leading zeros
 * lost), written «123-456-789 64» as the card shows it. Anything else is not kept: a warning on the message says so
 * (never the value: it is personal data).
 */
function snilsOf(value: unknown, warnings: string[]): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text =
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? String(value).padStart(11, '0')
      : typeof value === 'string'
        ? value.replace(/[\s\u00a0-]/g, '')
        : '';
  if (!/^\d{11}$/.test(text)) {
    warnings.push('СНИЛС заявителя не распознан и не сохранён');
    return undefined;
  }
  return `${text.slice(0, 3)}-${text.slice(3, 6)}-${text.slice(6, 9)} ${text.slice(9)}`;
}

/**
 * A status code as the public client shows it (`MODERATION_DECLINE`), in whatever case, or inside an object
 * (`{ code, name }`, as reference-data-style exports write an enumeration): the upper-case code either way.
 */
function statusCodeOf(value: unknown): string | undefined {
  const code = isRecord(value) ? (str(value.code) ?? str(value.status) ?? str(value.id)) : str(value);
  return code?.toUpperCase();
}

/** The status's own words when it came as an object (`{ code, name }`) and no statusText beside it. */
function statusNameOf(value: unknown): string | undefined {
  return isRecord(value) ? (str(value.name) ?? str(value.text) ?? str(value.title)) : undefined;
}

/** Requisites are digit strings; ПОС may send them as numbers. */
function idText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return str(value);
}

/** Drops the keys whose value is undefined, so stored payloads carry only what ПОС sent. */
function compactStrings<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** DESIGNED: `MESSAGE` | `APPEAL`; read in any case, and in Russian («Сообщение», «Обращение»), as exports write it. */
function regimeOf(value: unknown): 'message' | 'appeal' | undefined {
  const v = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (v === 'MESSAGE' || v === 'СООБЩЕНИЕ') return 'message';
  if (v === 'APPEAL' || v === 'ОБРАЩЕНИЕ') return 'appeal';
  return undefined;
}

/**
 * The applicant: `applicant` as the public client shows it; `author` or `user` as other exports name it; or
 * the fields at the top of the message. Without them the answer has nowhere to go.
 */
function applicantOf(raw: Record<string, unknown>): Record<string, unknown> {
  for (const key of ['applicant', 'author', 'user']) if (isRecord(raw[key])) return raw[key];
  return raw.epguId !== undefined || raw.surname !== undefined ? raw : {};
}

function unescaped(text: string | undefined): string | undefined {
  return text === undefined ? undefined : decodeHtmlEntities(text);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

// ПОС is a Moscow system: an instant it writes without a zone is Moscow time (UTC+3, no DST since 2014).
const MOSCOW_OFFSET = '+03:00';

/** An instant as ISO 8601 UTC, from whatever form ПОС writes it in (see instantMsOf). */
function instant(value: unknown): string | undefined {
  const ms = instantMsOf(value, MOSCOW_OFFSET);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function numericIfPossible(value: string): string | number {
  return /^\d{1,15}$/.test(value) ? Number(value) : value;
}
