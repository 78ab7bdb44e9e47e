import { randomBytes, randomUUID } from 'node:crypto';
import { generateDemoAppeals } from '@inbox/demo';
import { Channel, type InboundItem } from '@inbox/integrations/contract';

/**
 * A realistic channel mix for the ingest bench (issue 18): every channel the region receives by, about 39 %
 * of the items in a conversation (messengers by chat, e-mail by Message-ID), follow-ups in an open chat,
 * e-mail replies that name the earlier message, and about 5 % with a small inline attachment. Texts,
 * authors and addresses come from the demo generator (Russian appeals on the region's topics).
 */
const WEIGHTS: [Channel, number][] = [
  [Channel.Website, 0.16],
  [Channel.Pos, 0.22],
  [Channel.Email, 0.15],
  [Channel.Telegram, 0.12],
  [Channel.Vk, 0.08],
  [Channel.Ok, 0.04],
  [Channel.Operator, 0.15],
  [Channel.Medo, 0.08],
];
const MESSENGERS = new Set<Channel>([Channel.Telegram, Channel.Vk, Channel.Ok]);
/** Of the messenger items, this share is a follow-up in a chat seen before; of e-mails, a reply. */
const FOLLOW_UP_SHARE = 0.2;
const ATTACHMENT_SHARE = 0.05;
/** The МЭДО participant the bench's documents come from. */
const MEDO_SENDER_UID = '2b7e1c4d-8f3a-4c5e-9d6b-0a1f2e3d4c5b';

export interface MixShares {
  channels: Record<string, number>;
  withThread: number;
  followUps: number;
  emailReplies: number;
  withAttachment: number;
}

/** A small deterministic generator: the same seed gives the same mix. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(r: number): Channel {
  let acc = 0;
  for (const [channel, w] of WEIGHTS) {
    acc += w;
    if (r < acc) return channel;
  }
  return WEIGHTS[WEIGHTS.length - 1][0];
}

/** A tiny but real PDF: what a scanned letter's attachment looks like to the store. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n' +
    'x'.repeat(1500),
).toString('base64');

export function channelMix(n: number, seed = 18): { items: InboundItem[]; shares: MixShares } {
  const rand = prng(seed);
  const run = randomBytes(4).toString('hex');
  // Messenger chats are numbered (Telegram's chat ids, VK's peer ids), unique to the run.
  const chatBase = (parseInt(run.slice(0, 6), 16) + 1) * 1_000_000;
  const demo = generateDemoAppeals({ count: Math.min(n, 2000), seed: 7, now: new Date() });
  const chats = new Map<Channel, string[]>();
  const mails: string[] = [];
  const counts: Record<string, number> = {};
  let withThread = 0;
  let followUps = 0;
  let emailReplies = 0;
  let withAttachment = 0;
  const items = Array.from({ length: n }, (_, i): InboundItem => {
    const d = demo[i % demo.length];
    const channel = pick(rand());
    counts[channel] = (counts[channel] ?? 0) + 1;
    const item: InboundItem = {
      channel,
      externalId: `bench-${run}-${i}`,
      receivedAt: new Date().toISOString(),
      regime: channel === Channel.Pos ? 'message' : d.regime,
      fastTrack: channel === Channel.Pos ? d.fastTrack : undefined,
      author: { ...d.author, externalId: undefined },
      subject: d.subject,
      text: d.text,
      address: d.address,
      territoryCode: d.territoryCode,
    };
    if (MESSENGERS.has(channel)) {
      const seen = chats.get(channel) ?? [];
      const again = seen.length > 0 && rand() < FOLLOW_UP_SHARE;
      const chat = again ? seen[Math.floor(rand() * seen.length)] : String(chatBase + i);
      if (!again) chats.set(channel, [...seen.slice(-500), chat]);
      else followUps++;
      item.author = { ...item.author, externalId: chat };
      item.thread = { key: `chat-${run}-${chat}` };
      // Where the connector would answer: the chat (Telegram, OK) or the peer (VK) the item came from.
      item.replyAddress =
        channel === Channel.Vk
          ? { peerId: Number(chat) }
          : { chatId: channel === Channel.Ok ? `chat:C${chat}` : Number(chat) };
      withThread++;
    } else if (channel === Channel.Email) {
      const messageId = `<${run}.${i}@bench.example>`;
      const reply = mails.length > 0 && rand() < FOLLOW_UP_SHARE;
      item.thread = reply
        ? { key: messageId, refersTo: [mails[Math.floor(rand() * mails.length)]] }
        : { key: messageId };
      if (reply) emailReplies++;
      else mails.push(messageId);
      if (mails.length > 500) mails.shift();
      item.author = { ...item.author, email: `citizen${i % 997}@mail.example` };
      // Where the connector would answer, as it reads a letter: the sender, threaded on their Message-ID.
      item.replyAddress = { to: item.author.email, messageId, references: [messageId] };
      withThread++;
    }
    if (channel === Channel.Medo) {
      // A «Документ» from another participant: its receipt goes back to the sender (the connector's reply address).
      item.replyAddress = {
        sourceUid: MEDO_SENDER_UID,
        sourceOrganisation: 'Министерство строительства области',
        documentUid: randomUUID(),
        headerUid: randomUUID(),
      };
    }
    if (rand() < ATTACHMENT_SHARE) {
      item.attachments = [{ fileName: 'скан.pdf', contentType: 'application/pdf', contentBase64: PDF }];
      withAttachment++;
    }
    return item;
  });
  const share = (k: number) => Math.round((k / n) * 1000) / 1000;
  return {
    items,
    shares: {
      channels: Object.fromEntries(Object.entries(counts).map(([c, k]) => [c, share(k)])),
      withThread: share(withThread),
      followUps: share(followUps),
      emailReplies: share(emailReplies),
      withAttachment: share(withAttachment),
    },
  };
}
