import { Channel, type InboundAttachment, type InboundItem } from '@inbox/integrations/contract';
import { isRecord, isWritableInstant, unreadAttachmentLine } from '@inbox/integrations/contract';
import { cleanText } from '@inbox/integrations/contract';

/*
 * The group's wall as the REST API shows it → inbound items. Pure functions, no I/O.
 *
 * mediatopic.getTopics { media_topics: [{ id, created_ms, author_ref ('user:<id>' | 'group:<id>'), owner_ref,
 * media: [{ type: 'text', text }, …], discussion_summary: { comments_count } }], entities: { users: [{ uid,
 * first_name, last_name }] }, anchor, has_more }.
 * discussions.getComments { comments: [{ id, author_id, author_name, text, date ('yyyy-MM-dd HH:mm:ss', Moscow
 * time), date_ms, reply_to_comment_id, reply_to_id }], anchor, has_more }.
 *
 * Thread keys (as VK's): `topic:<id>` for a topic; one author's comments under a topic are
 * `topic:<id>/from:user:<uid>` and refer to the topic, so comments under a citizen's own topic join it, different
 * citizens under the group's news stay apart, and a citizen's comment after our answer joins their own appeal; a
 * reply to one of our comments also refers to that comment (`topic:<id>/comment:<id>`), a thread key of its appeal
 * once delivered.
 *
 * Photos (as VK's wall photos): a topic's `media` has `{ type: 'photo', photo_refs: ['group_photo:<id>', …] }`, a
 * comment's `attachments` `{ type: 'PHOTO', ref }` (or `photo_refs`); the photos themselves, with their sizes as
 * URLs (pic50x50 … pic1024x768, pic_max), are in the answer's `entities` (group_photos, photos…), asked for by
 * `fields=group_photo.*`. Each becomes an attachment by the URL of its largest size (the fetcher downloads it and
 * checks its bytes); a photo given inline with its URLs is read too.
 */

export interface WallTopic {
  id: string;
  createdMs: number;
  /** `user:<id>` for a citizen's topic; `group:<id>` for the group's own. */
  authorRef: string;
  text: string;
  commentsCount?: number;
  photos: WallPhoto[];
}

/** A photo on the wall: its id and the URL of its largest size. */
export interface WallPhoto {
  id: string;
  url: string;
}

export interface WallComment {
  id: string;
  authorId: string;
  /** Written as the group (our own answers come back this way). */
  byGroup: boolean;
  authorName?: string;
  text: string;
  dateMs: number;
  replyToCommentId?: string;
  photos: WallPhoto[];
}

export const wallThreadKeys = {
  topic: (topicId: string) => `topic:${topicId}`,
  topicAuthor: (topicId: string, userRef: string) => `topic:${topicId}/from:${userRef}`,
  /** A comment under a topic (the group's answer): a citizen's reply to it names this key. */
  comment: (topicId: string, commentId: string) => `topic:${topicId}/comment:${commentId}`,
};

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/** `date` without a zone is Moscow time (UTC+3, no daylight saving since 2014). */
function commentMs(c: Record<string, unknown>): number | undefined {
  const ms = Number(c.date_ms);
  if (ms > 0 && isWritableInstant(ms)) return ms;
  const m = typeof c.date === 'string' ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(c.date) : null;
  if (!m) return undefined;
  const at = Date.parse(`${m[1]}T${m[2]}+03:00`);
  return Number.isNaN(at) ? undefined : at;
}

/** OK's photo size fields, the largest first. */
const PHOTO_SIZES = [
  'pic_max',
  'picmax',
  'pic1024max',
  'pic1024x768',
  'pic640x480',
  'pic320min',
  'pic240min',
  'pic190x190',
  'pic180min',
  'pic128max',
  'pic128x128',
  'pic50x50',
];

function photoOf(value: unknown): WallPhoto | undefined {
  if (!isRecord(value)) return undefined;
  const id = str(value.id) ?? str(value.photo_id);
  const url = PHOTO_SIZES.map((k) => value[k]).find((u): u is string => typeof u === 'string' && u !== '');
  return id && url ? { id, url } : undefined;
}

/** The photos of an answer's `entities` by ref: `group_photos` → `group_photo:<id>` (or the entry's own `ref`). */
export function photoEntities(answer: Record<string, unknown>): Map<string, WallPhoto> {
  const byRef = new Map<string, WallPhoto>();
  const entities = isRecord(answer.entities) ? answer.entities : {};
  for (const [key, list] of Object.entries(entities)) {
    if (!key.endsWith('photos') || !Array.isArray(list)) continue;
    for (const entry of list) {
      const photo = photoOf(entry);
      if (!photo) continue;
      byRef.set(`${key.slice(0, -1)}:${photo.id}`, photo);
      const ref = isRecord(entry) ? str(entry.ref) : undefined;
      if (ref) byRef.set(ref, photo);
    }
  }
  return byRef;
}

/**
 * The photos a topic's media part or a comment's attachment names: by ref from `entities`, or inline; and how many it
 * names that cannot be read (a ref the answer's `entities` lack, a photo without a URL of a size we know), so the
 * clerk is told a photo came.
 */
function photosIn(
  part: Record<string, unknown>,
  byRef: Map<string, WallPhoto>,
): { photos: WallPhoto[]; missing: number } {
  const refs = [...(Array.isArray(part.photo_refs) ? part.photo_refs : []), part.ref, part.photo_ref].filter(
    (r): r is string => typeof r === 'string' && r !== '',
  );
  const listed = [...(Array.isArray(part.photos) ? part.photos : []), part.photo].filter(isRecord);
  const read = [...refs.map((r) => byRef.get(r)), ...[part, ...listed].map(photoOf)];
  const photos = read.filter((p): p is WallPhoto => p !== undefined);
  const missing =
    refs.filter((r) => !byRef.has(r)).length + listed.filter((p) => photoOf(p) === undefined).length;
  // A photo part with nothing to read at all is one photo all the same.
  return { photos, missing: missing === 0 && photos.length === 0 ? 1 : missing };
}

/** The line for photos named but not read ('' for none): the clerk opens the wall to see them. */
function missingPhotosLine(photoParts: { missing: number }[]): string {
  const missing = photoParts.reduce((n, p) => n + p.missing, 0);
  if (missing === 0) return '';
  return `Вложение не распознано (фото без ссылки${missing > 1 ? `: ${missing}` : ''}), откройте запись в Одноклассниках`;
}

/**
 * A line for what a topic's media part or a comment's attachment holds besides text and photos: a link, a video,
 * a poll, a place; any other type «Вложение не распознано», so a clerk knows something came. '' for text and photos.
 */
function mediaLine(part: Record<string, unknown>): string {
  const type = typeof part.type === 'string' ? part.type.toLowerCase() : '';
  if (type === 'text' || type === 'photo') return '';
  if (type === 'link') {
    const url = cleanText(part.url);
    return `Ссылка: ${[cleanText(part.title), url].filter(Boolean).join(' — ')}`;
  }
  if (type === 'movie' || type === 'video')
    return `Видео${cleanText(part.title) ? `: ${cleanText(part.title)}` : ''}`;
  if (type === 'poll') {
    const question = isRecord(part.poll) ? cleanText(part.poll.question) : cleanText(part.question);
    return `Опрос${question ? `: ${question}` : ''}`;
  }
  if (type === 'place') return `Место${isRecord(part.place) ? `: ${cleanText(part.place.name)}` : ''}`;
  return unreadAttachmentLine(type);
}

const isPhoto = (part: Record<string, unknown>) =>
  typeof part.type === 'string' && part.type.toLowerCase() === 'photo';

/** Photos as attachments (the largest size, by URL), each once. */
function photoAttachments(photos: WallPhoto[]): InboundAttachment[] {
  const seen = new Set<string>();
  return photos
    .filter((p) => !seen.has(p.url) && seen.add(p.url))
    .map((p) => ({ fileName: `photo-${p.id}.jpg`, contentType: 'image/jpeg', remoteRef: p.url }));
}

export function userRef(id: string): string {
  return id.startsWith('user:') ? id : `user:${id}`;
}

/** An entry of an answer that could not be read: the core quarantines it whole (PullPage.rejected). */
export interface WallProblem {
  externalId?: string;
  reason: string;
  raw: unknown;
}

/** The topics of a mediatopic.getTopics answer, with the authors' names; unreadable entries are reported. */
export function readTopics(answer: Record<string, unknown>): {
  topics: WallTopic[];
  names: Map<string, string>;
  problems: WallProblem[];
} {
  const names = new Map<string, string>();
  const entities = isRecord(answer.entities) ? answer.entities : {};
  for (const u of Array.isArray(entities.users) ? entities.users : []) {
    if (!isRecord(u)) continue;
    const uid = str(u.uid) ?? str(u.id);
    const name = cleanText(
      u.name ?? [u.first_name, u.last_name].filter((x) => typeof x === 'string').join(' '),
    ).trim();
    if (uid && name) names.set(userRef(uid), name);
  }
  const photos = photoEntities(answer);
  const topics: WallTopic[] = [];
  const problems: WallProblem[] = [];
  for (const t of Array.isArray(answer.media_topics) ? answer.media_topics : []) {
    const id = isRecord(t) ? str(t.id) : undefined;
    const authorRef = isRecord(t) ? str(t.author_ref) : undefined;
    const createdMs = isRecord(t) ? Number(t.created_ms) : NaN;
    if (!isRecord(t) || !id || !authorRef || !isWritableInstant(createdMs)) {
      problems.push({
        ...(id ? { externalId: `topic:${id}` } : {}),
        reason: 'OK mediatopic.getTopics: a topic without id, author_ref or created_ms',
        raw: t,
      });
      continue;
    }
    const media = Array.isArray(t.media) ? t.media.filter(isRecord) : [];
    const photoParts = media.filter(isPhoto).map((m) => photosIn(m, photos));
    const text = [
      ...media.filter((m) => m.type === 'text').map((m) => cleanText(m.text)),
      ...media.map(mediaLine),
      missingPhotosLine(photoParts),
    ]
      .filter((x) => x !== '')
      .join('\n\n');
    const summary = isRecord(t.discussion_summary) ? Number(t.discussion_summary.comments_count) : NaN;
    topics.push({
      id,
      createdMs,
      authorRef,
      text,
      ...(Number.isFinite(summary) ? { commentsCount: summary } : {}),
      photos: photoParts.flatMap((p) => p.photos),
    });
  }
  return { topics, names, problems };
}

/** The comments of a discussions.getComments answer; unreadable entries are reported. */
export function readComments(
  topicId: string,
  answer: Record<string, unknown>,
): { comments: WallComment[]; problems: WallProblem[] } {
  const photos = photoEntities(answer);
  const comments: WallComment[] = [];
  const problems: WallProblem[] = [];
  for (const c of Array.isArray(answer.comments) ? answer.comments : []) {
    const id = isRecord(c) ? str(c.id) : undefined;
    const authorId = isRecord(c) ? str(c.author_id) : undefined;
    const dateMs = isRecord(c) ? commentMs(c) : undefined;
    if (!isRecord(c) || !id || !authorId || dateMs === undefined) {
      problems.push({
        ...(id ? { externalId: `comment:${topicId}:${id}` } : {}),
        reason: 'OK discussions.getComments: a comment without id, author_id or date',
        raw: c,
      });
      continue;
    }
    const authorName = cleanText(c.author_name).trim();
    const replyTo = str(c.reply_to_comment_id);
    const attached = Array.isArray(c.attachments) ? c.attachments.filter(isRecord) : [];
    const photoParts = attached.filter(isPhoto).map((a) => photosIn(a, photos));
    comments.push({
      id,
      authorId,
      byGroup: str(c.author_ref)?.startsWith('group:') === true || c.author_type === 'GROUP',
      text: [cleanText(c.text), ...attached.map(mediaLine), missingPhotosLine(photoParts)]
        .filter((x) => x !== '')
        .join('\n'),
      dateMs,
      ...(authorName ? { authorName } : {}),
      ...(replyTo ? { replyToCommentId: replyTo } : {}),
      photos: photoParts.flatMap((p) => p.photos),
    });
  }
  return { comments, problems };
}

/**
 * The words of a topic or a comment; with neither words nor photos (a kind of content OK adds later, an entry OK
 * sent empty), what a clerk reads instead: something came, and where to look. Photos alone are read: they are it.
 */
function readableText(text: string, photos: WallPhoto[], what: string): string {
  return text || (photos.length > 0 ? '' : `Сообщение не распознано. Откройте ${what} в Одноклассниках.`);
}

/** A citizen's topic on the group wall: an open-source message (8-ФЗ), answered by a comment under it. */
export function topicItem(topic: WallTopic, names: Map<string, string>): InboundItem {
  const name = names.get(topic.authorRef);
  return {
    channel: Channel.Ok,
    externalId: `topic:${topic.id}`,
    receivedAt: new Date(topic.createdMs).toISOString(),
    regime: 'message',
    author: { externalId: topic.authorRef, ...(name ? { displayName: name } : {}) },
    text: readableText(topic.text, topic.photos, 'запись'),
    attachments: photoAttachments(topic.photos),
    thread: { key: wallThreadKeys.topic(topic.id) },
    replyAddress: { topicId: topic.id },
    features: { source: 'wall' },
  };
}

/** A citizen's comment under a wall topic, answered in its thread (a reply to that comment). */
export function commentItem(topicId: string, comment: WallComment): InboundItem {
  const author = userRef(comment.authorId);
  return {
    channel: Channel.Ok,
    externalId: `comment:${topicId}:${comment.id}`,
    receivedAt: new Date(comment.dateMs).toISOString(),
    regime: 'message',
    author: { externalId: author, ...(comment.authorName ? { displayName: comment.authorName } : {}) },
    text: readableText(comment.text, comment.photos, 'комментарий'),
    attachments: photoAttachments(comment.photos),
    thread: {
      key: wallThreadKeys.topicAuthor(topicId, author),
      refersTo: [
        wallThreadKeys.topic(topicId),
        ...(comment.replyToCommentId ? [wallThreadKeys.comment(topicId, comment.replyToCommentId)] : []),
      ],
    },
    replyAddress: { topicId, commentId: comment.id },
    features: { source: 'wall' },
  };
}
