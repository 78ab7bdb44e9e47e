import { Channel, type InboundAttachment, type InboundItem } from '@inbox/integrations/contract';
import { cleanText, isRecord } from '@inbox/integrations/contract';

/*
 * OK Bot API webhook messages → inbound items. The documented plain-text message is
 * { sender: { user_id }, recipient: { chat_id }, message: { text, seq, mid, attachments? }, timestamp (ms) }; the
 * event type, when present, is in `webhookType` (or `type`). Pure functions, no I/O.
 */

export interface ParsedWebhook {
  items: InboundItem[];
  problem?: string;
}

/** OK ids come as `chat:<id>`; the thread key is `chat:<id>` whether or not the prefix was there. */
export function chatThreadKey(chatId: string): string {
  return chatId.startsWith('chat:') ? chatId : `chat:${chatId}`;
}

/** A message the group sent into a chat (its `mid`): a citizen's reply to it names this key. */
export function sentThreadKey(chatId: string, mid: string): string {
  return `sent:${chatThreadKey(chatId)}:${mid}`;
}

/**
 * The message a reply answers. OK's message object names it in `reply_to` — the replied message's `mid`, as a
 * string or as `{ mid }` (both forms are read; no public sample shows a reply yet).
 */
export function repliedMid(message: Record<string, unknown>): string | undefined {
  const to = message.reply_to ?? message.replyTo;
  const mid = isRecord(to) ? to.mid : to;
  return typeof mid === 'string' && mid !== '' ? mid : undefined;
}

const TYPES: Record<string, string> = {
  IMAGE: 'image/jpeg',
  VIDEO: 'video/mp4',
  AUDIO: 'audio/mpeg',
  FILE: 'application/octet-stream',
};

/** Files by URL (fetchAttachment downloads them later). SHARE (a link), keyboards, contacts and stickers are not files. */
export function attachmentsOf(message: Record<string, unknown>): InboundAttachment[] {
  const list = Array.isArray(message.attachments)
    ? message.attachments
    : message.attachment
      ? [message.attachment]
      : [];
  const out: InboundAttachment[] = [];
  for (const [index, attachment] of list.entries()) {
    if (!isRecord(attachment) || typeof attachment.type !== 'string' || !isRecord(attachment.payload))
      continue;
    const contentType = TYPES[attachment.type];
    const url = attachment.payload.url;
    if (!contentType || typeof url !== 'string' || url === '') continue;
    const named = cleanText(attachment.payload.name ?? attachment.payload.title);
    const ext =
      attachment.type === 'IMAGE'
        ? '.jpg'
        : attachment.type === 'VIDEO'
          ? '.mp4'
          : attachment.type === 'AUDIO'
            ? '.mp3'
            : '';
    const size = Number(attachment.payload.size);
    out.push({
      fileName: named || `${attachment.type.toLowerCase()}-${index + 1}${ext}`,
      contentType,
      remoteRef: url,
      ...(Number.isSafeInteger(size) && size > 0 ? { size } : {}),
    });
  }
  return out;
}

export function parseOkWebhook(body: unknown): ParsedWebhook {
  if (!isRecord(body)) return { items: [], problem: 'webhook body is not an object' };
  const type = body.webhookType ?? body.type;
  // Only new messages are items; chat system events, button callbacks and unknown types yield nothing.
  if (type !== undefined && type !== 'MESSAGE_CREATED') return { items: [] };
  if (!isRecord(body.message)) {
    return type === 'MESSAGE_CREATED'
      ? { items: [], problem: 'MESSAGE_CREATED without a message' }
      : { items: [] };
  }
  const message = body.message;
  const userId = isRecord(body.sender) ? body.sender.user_id : undefined;
  const chatId = isRecord(body.recipient) ? body.recipient.chat_id : undefined;
  const mid = message.mid;
  if (typeof userId !== 'string' || userId === '' || typeof chatId !== 'string' || chatId === '') {
    return { items: [], problem: 'message without sender.user_id or recipient.chat_id' };
  }
  if (typeof mid !== 'string' || mid === '') return { items: [], problem: 'message without mid' };
  const timestamp = Number(body.timestamp);
  const name = isRecord(body.sender) ? cleanText(body.sender.name) : '';
  const thread = { key: chatThreadKey(chatId) };
  // A reply to one of the group's messages (an answer, a notice) names it: it joins that message's appeal.
  const repliedTo = repliedMid(message);
  const item: InboundItem = {
    channel: Channel.Ok,
    externalId: mid,
    receivedAt:
      Number.isFinite(timestamp) && timestamp > 0
        ? new Date(timestamp).toISOString()
        : new Date().toISOString(),
    regime: 'message',
    author: { externalId: userId, ...(name ? { displayName: name } : {}) },
    text: cleanText(message.text),
    attachments: attachmentsOf(message),
    thread: repliedTo ? { ...thread, refersTo: [sentThreadKey(chatId, repliedTo)] } : thread,
    replyAddress: { chatId },
    features: { source: 'messages' },
  };
  return { items: [item] };
}
