import {
  AppealEventHooks,
  AppealEventsOutbox,
  ChannelPuller,
  type ConnectorKind,
  type PullReport,
} from '@inbox/channels';
import { addCalendarDays, localDateOf, ProductionCalendar } from '@inbox/deadlines';
import { parseEmail } from '@inbox/integrations/email';
import { FeedActionRunner, PosRubricatorSync } from '@inbox/feeds';
import { type SignedIn } from '../factories/staff';
import { EMAIL_ENV } from '../fakes/email/email-env';
import { type DovecotInstance, startDovecot } from '../fakes/email/dovecot';
import { type ReceivedMail, type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';

export { EMAIL_ENV };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Handles on the running worker and small queries the feed tests share. */
export function feedTools(stack: TestStack) {
  const worker = stack.worker!;
  const ds = stack.db.dataSource;
  const puller = worker.get(ChannelPuller);
  const hooks = worker.get(AppealEventHooks);
  const tools = {
    puller,
    hooks,
    runner: worker.get(FeedActionRunner),
    rubricator: worker.get(PosRubricatorSync),
    ds,

    /** A pull that really ran: the schedule or a boot-time pull may hold the account's lock for a moment. */
    async pull(kind: ConnectorKind, options: { limit?: number; maxPages?: number; now?: Date } = {}) {
      for (let i = 0; i < 100; i++) {
        const report: PullReport = await puller.pull(kind, options);
        if (report.ran) return report;
        await sleep(100);
      }
      throw new Error(`the ${kind} pull never ran`);
    },

    /** The appeal registered from an item, once normalisation has run. */
    async appeal(channel: string, externalId: string): Promise<{ id: string; registrationNumber: string }> {
      return eventually(async () => {
        const [row] = (await ds.query(
          `SELECT id, registration_number AS "registrationNumber" FROM appeals WHERE channel = $1 AND external_id = $2`,
          [channel, externalId],
        )) as { id: string; registrationNumber: string }[];
        return row;
      });
    },

    async appealCount(channel: string, externalIds?: string[]): Promise<number> {
      const [{ n }] = (await ds.query(
        `SELECT count(*)::int AS n FROM appeals WHERE channel = $1 AND ($2::text[] IS NULL OR external_id = ANY($2))`,
        [channel, externalIds ?? null],
      )) as { n: number }[];
      return n;
    },

    /** Items still waiting for normalisation (none once the worker has caught up). */
    async settled(): Promise<void> {
      await eventually(async () => {
        const [{ n }] = (await ds.query(
          `SELECT count(*)::int AS n FROM inbound_items WHERE status = 'pending'`,
        )) as { n: number }[];
        return n === 0 ? true : undefined;
      });
    },

    async health(channel: string): Promise<Record<string, unknown>> {
      const body = await json(fetch(`${stack.baseUrl}/health`));
      return (body.channels as Record<string, unknown>[]).find((c) => c.channel === channel)!;
    },

    /** As if the stored cursor had been lost: the next pull starts from the channel's beginning. */
    async forgetCursor(channel: string): Promise<void> {
      await ds.query(`UPDATE channel_accounts SET cursor = NULL, next_pull_at = NULL WHERE channel = $1`, [
        channel,
      ]);
    },

    /** Replays the whole history through every channel hook, as a crash before the outbox rows were deleted would. */
    async replayHooks(): Promise<void> {
      await worker.get(AppealEventsOutbox).replay(hooks.names());
      await eventually(async () => {
        await hooks.drain();
        const [{ n }] = (await ds.query(
          `SELECT count(*)::int AS n FROM event_outbox WHERE state = 'pending'`,
        )) as { n: number }[];
        return n === 0 ? true : undefined;
      });
      await tools.runner.runAll();
    },

    async history(appealId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
      return (await ds.query(`SELECT type, data FROM appeal_events WHERE appeal_id = $1 ORDER BY id`, [
        appealId,
      ])) as { type: string; data: Record<string, unknown> }[];
    },
  };
  return tools;
}

/**
 * Draft → approve (by another person) → send, as staff do it over the API; with `take`, the author takes the
 * appeal first. Returns the answer id.
 */
export async function answerAppeal(
  stack: TestStack,
  appealId: string,
  author: SignedIn,
  approver: SignedIn,
  text: string,
  options: { take?: boolean } = {},
): Promise<string> {
  const post = (path: string, who: SignedIn, body: unknown = {}) =>
    fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
  if (options.take) expect((await post(`/api/v1/appeals/${appealId}/take`, author)).status).toBe(204);
  const draft = await json(post(`/api/v1/appeals/${appealId}/answers`, author, { text }));
  expect(draft).toEqual({ id: expect.any(String) });
  expect((await post(`/api/v1/appeals/${appealId}/answers/${draft.id}/approve`, approver)).status).toBe(204);
  expect((await post(`/api/v1/appeals/${appealId}/answers/${draft.id}/send`, author)).status).toBe(204);
  return draft.id as string;
}

/** The 59-ФЗ answer date: `days` after registration in the zone, moved back off a non-working day. */
export function expectedDueDate(
  registeredAt: string | Date,
  days: number,
  zone = 'Asia/Novosibirsk',
): string {
  const calendar = ProductionCalendar.russian();
  let due = addCalendarDays(localDateOf(new Date(registeredAt), zone), days);
  while (!calendar.isWorkingDay(due)) due = addCalendarDays(due, -1);
  return due;
}

/** A header of a received letter, unfolded. */
export function mailHeader(mail: ReceivedMail, name: string): string | undefined {
  const head = mail.raw
    .toString('latin1')
    .split('\r\n\r\n')[0]
    .replace(/\r\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1].trim();
}

/** A letter we sent, read as the citizen's mail client would (auto-generated or not). */
export async function readMail(
  mail: ReceivedMail,
  citizen: string,
): Promise<{ subject?: string; text: string }> {
  const raw = Buffer.from(mail.raw.toString('latin1').replace(/^Auto-Submitted:.*\r\n/im, ''), 'latin1');
  const seen = await parseEmail(raw, { policy547: 'appeal', maxAttachmentBytes: 1e7, fromAddress: citizen });
  if (seen.kind !== 'item') throw new Error(`the letter did not read as a letter: ${seen.kind}`);
  return { subject: seen.item.subject, text: seen.item.text };
}

/**
 * An answer letter's text split at the rating request we put under it: the answer itself, and the personal
 * rating links the request carries (one per answer the letter brings).
 */
export function answerAndRatingLinks(text: string): { answer: string; links: string[] } {
  const at = text.indexOf('\n\n—\nПожалуйста, оцените');
  if (at < 0) return { answer: text, links: [] };
  const links = [...text.slice(at).matchAll(/https?:\/\/\S+\/rate\.html#t=[A-Za-z0-9_-]+/g)].map((m) => m[0]);
  return { answer: text.slice(0, at), links };
}

/** Account settings of the fake reception site (WEBSITE_FEED_SETTINGS). */
export const FEED_SETTINGS = (timeoutMs = 5000) => ({
  cursorField: 'id',
  itemsPath: 'data.items',
  fieldMap: {
    externalId: 'id',
    text: 'message.text',
    createdAt: 'created',
    surname: 'author.lastName',
    firstName: 'author.firstName',
    patronymic: 'author.middleName',
    email: 'author.contacts.email',
    phone: 'author.contacts.phone',
    address: 'author.postal',
    location: 'place',
    subject: 'message.topic',
    attachments: 'files',
  },
  pageSizeParam: 'limit',
  cursorParam: 'after',
  siteKey: 'governor-nso',
  timeoutMs,
  pullEveryMs: 3_600_000,
});

/** A private dovecot, an SMTP receiver and the stack (with its worker) on the dovecot's first mailbox as `from`. */
export interface EmailStack {
  dovecot: DovecotInstance;
  smtp: SmtpReceiver;
  stack: TestStack;
  mailbox: string;
  tools: ReturnType<typeof feedTools>;
  close(): Promise<void>;
}

/** Starts an EmailStack, `env` over EMAIL_ENV; what started is stopped again if a later start fails. */
export async function startEmailStack(from: string, env: Record<string, string> = {}): Promise<EmailStack> {
  // One after another: a start that fails must not leave the other running unseen.
  const dovecot = await startDovecot();
  let smtp: SmtpReceiver | undefined;
  try {
    smtp = await startSmtpReceiver();
    const receiver = smtp;
    const user = dovecot.users[0];
    const stack = await startTestStack({
      worker: true,
      env: { ...EMAIL_ENV(dovecot, receiver, from, user), ...env },
    });
    return {
      dovecot,
      smtp: receiver,
      stack,
      mailbox: user.user,
      tools: feedTools(stack),
      async close() {
        await stack.close();
        await Promise.all([dovecot.stop(), receiver.stop()]);
      },
    };
  } catch (error) {
    await Promise.all([dovecot.stop(), smtp?.stop()]);
    throw error;
  }
}

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** A citizen's letter to `to` in the shape mail clients send: base64 UTF-8 text, and a file when given. */
export function emailLetter(
  to: string,
  opts: {
    id: string;
    from: string;
    subject: string;
    body: string;
    headers?: string[];
    attachment?: { name: string; type: string; data: Buffer };
  },
): string {
  const head = [
    `From: =?UTF-8?B?${b64('Кузнецова Мария')}?= <${opts.from}>`,
    `To: ${to}`,
    `Subject: =?UTF-8?B?${b64(opts.subject)}?=`,
    'Date: Mon, 16 Nov 2026 09:30:00 +0700',
    `Message-ID: <${opts.id}>`,
    'MIME-Version: 1.0',
    ...(opts.headers ?? []),
  ];
  if (!opts.attachment) {
    return [
      ...head,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(opts.body),
      '',
    ].join('\r\n');
  }
  const a = opts.attachment;
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(opts.body),
    '--b1',
    `Content-Type: ${a.type}; name="=?UTF-8?B?${b64(a.name)}?="`,
    `Content-Disposition: attachment; filename="=?UTF-8?B?${b64(a.name)}?="`,
    'Content-Transfer-Encoding: base64',
    '',
    b64(a.data),
    '--b1--',
    '',
  ].join('\r\n');
}
