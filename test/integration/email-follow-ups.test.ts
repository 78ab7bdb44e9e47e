import { type INestApplicationContext } from '@nestjs/common';
import { AppealRegistrar } from '@inbox/appeals';
import { type InboundItem } from '@inbox/integrations/contract';
import { outboundMessageId, parseEmail } from '@inbox/integrations/email';
import { InboundStore } from '@inbox/intake';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

const OURS = 'obr@gov.example.ru';
const NOW = new Date('2026-11-30T09:00:00Z');
const QUOTE_FILE = 'Цитата из переписки.txt';

/** A citizen's letter as it arrives (our own shape, UTF-8, base64), optionally a reply naming what it answers. */
function letter(opts: {
  id: string;
  from: string;
  subject: string;
  body: string;
  inReplyTo?: string;
}): Buffer {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return Buffer.from(
    [
      `From: ${opts.from}`,
      `To: ${OURS}`,
      `Subject: =?UTF-8?B?${b64(opts.subject)}?=`,
      'Date: Mon, 30 Nov 2026 11:00:00 +0300',
      `Message-ID: <${opts.id}>`,
      ...(opts.inReplyTo ? [`In-Reply-To: <${opts.inReplyTo}>`] : []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(opts.body),
      '',
    ].join('\r\n'),
    'utf8',
  );
}

/** What the e-mail connector makes of a letter. */
async function itemOf(raw: Buffer): Promise<InboundItem> {
  const parsed = await parseEmail(raw, {
    policy547: 'appeal',
    maxAttachmentBytes: 10 * 1024 * 1024,
    fromAddress: OURS,
    receivedAt: NOW,
  });
  if (parsed.kind !== 'item') throw new Error(`expected an item, got ${parsed.kind}`);
  return parsed.item;
}

/** The quote of our answer a citizen's client puts under their words (Gmail's attribution and `>` lines). */
const QUOTE =
  'пн, 30 нояб. 2026 г. в 10:00, Единый центр <obr@gov.example.ru>:\n' +
  '> Ответ на обращение № {N}: яма будет заделана до 15 декабря.\n>\n> С уважением, Единый центр';

describe('e-mail replies that lost their thread headers, and repeated quotes (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let registrar: AppealRegistrar;
  let store: InboundStore;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(AppealsTestModule, 'email-follow-ups', { LOG_LEVEL: 'error' }));
    registrar = ctx.get(AppealRegistrar);
    store = ctx.get(InboundStore);
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  /** Stores the letter as the pull does and registers it one by one, or in a batch. */
  async function receive(raw: Buffer, how: 'one' | 'batch' = 'one') {
    const [stored] = await store.store([await itemOf(raw)], { enqueue: false });
    const outcome =
      how === 'one'
        ? await registrar.registerInboundItem(stored.inboundItemId, NOW)
        : (await registrar.registerBatch([stored.inboundItemId], NOW)).get(stored.inboundItemId);
    if (!outcome || outcome instanceof Error || !('appealId' in outcome)) throw new Error('not registered');
    return outcome;
  }
  const files = async (appealId: string) =>
    (
      (await db.dataSource.query(
        `SELECT file_name FROM attachments WHERE appeal_id = $1 ORDER BY created_at`,
        [appealId],
      )) as { file_name: string }[]
    ).map((r) => r.file_name);

  it('joins a reply by the number in its subject when its author is the applicant; a stranger opens an appeal', async () => {
    const citizen = 'Ivan.Petrov@Mail.example';
    const first = await receive(
      letter({ id: 'yama-1@mail.example', from: citizen, subject: 'Яма у дома 5', body: 'На дороге яма.' }),
    );
    expect(first.kind).toBe('registered');
    const number = first.registrationNumber;
    // Answered: the reply to the answer joins it all the same, as a threaded reply does.
    await db.dataSource.query(`UPDATE appeals SET status = 'answered' WHERE id = $1`, [first.appealId]);
    const quote = QUOTE.replace('{N}', number);
    const subject = `Re: Яма у дома 5 [№ ${number}]`;

    // The phone's mail app dropped In-Reply-To and References; the address is written in other case.
    const reply = await receive(
      letter({
        id: 'yama-2@mail.example',
        from: citizen.toLowerCase(),
        subject,
        body: `Яма всё ещё на месте.\n\n${quote}`,
      }),
    );
    expect(reply).toMatchObject({ kind: 'follow-up', appealId: first.appealId, registrationNumber: number });

    // The same again from the same citizen, through the batch path: joins too, and the same quote is not kept twice.
    const again = await receive(
      letter({
        id: 'yama-3@mail.example',
        from: citizen,
        subject: `RE: ${subject}`,
        body: `Прошу ускорить.\n\n${quote}`,
      }),
      'batch',
    );
    expect(again).toMatchObject({ kind: 'follow-up', appealId: first.appealId });
    expect(await files(first.appealId)).toEqual([QUOTE_FILE]);

    // Someone else quoting the number (a neighbour forwarded the letter): not the applicant, a new appeal.
    const stranger = await receive(
      letter({
        id: 'yama-4@neighbour.example',
        from: 'sosed@neighbour.example',
        subject: `Fwd: ${subject}`,
        body: 'У меня та же яма, прошу принять меры.',
      }),
    );
    expect(stranger.kind).toBe('registered');
    expect(stranger.appealId).not.toBe(first.appealId);

    // The citizen naming the neighbour's number does not join the neighbour's appeal.
    const crossed = await receive(
      letter({
        id: 'yama-5@mail.example',
        from: citizen,
        subject: `Re: Яма [№ ${stranger.registrationNumber}]`,
        body: 'Присоединяюсь.',
      }),
    );
    expect(crossed.kind).toBe('registered');

    const history = (await db.dataSource.query(
      `SELECT data->>'externalId' AS id FROM appeal_events WHERE appeal_id = $1 AND type = 'follow-up-received'
        ORDER BY id`,
      [first.appealId],
    )) as { id: string }[];
    expect(history.map((h) => h.id)).toEqual(['yama-2@mail.example', 'yama-3@mail.example']);
  });

  it('keeps one copy of a quote a threaded reply repeats, and a different quote beside it', async () => {
    const citizen = 'maria@mail.example';
    const first = await receive(
      letter({
        id: 'svet-1@mail.example',
        from: citizen,
        subject: 'Нет света',
        body: 'Во дворе не горят фонари.',
      }),
    );
    const answerId = outboundMessageId('answer-svet', OURS);
    await db.dataSource.query(
      `INSERT INTO appeal_threads (channel, thread_key, appeal_id) VALUES ('email', $1, $2)`,
      [`msgid:${answerId}`, first.appealId],
    );
    const quote = QUOTE.replace('{N}', first.registrationNumber);
    for (const [id, words] of [
      ['svet-2@mail.example', 'Фонари так и не горят.'],
      ['svet-3@mail.example', 'Прошу сообщить срок.'],
    ]) {
      const r = await receive(
        letter({
          id,
          from: citizen,
          subject: 'Re: Нет света',
          body: `${words}\n\n${quote}`,
          inReplyTo: answerId,
        }),
      );
      expect(r).toMatchObject({ kind: 'follow-up', appealId: first.appealId });
    }
    await receive(
      letter({
        id: 'svet-4@mail.example',
        from: citizen,
        subject: 'Re: Нет света',
        body: `Спасибо.\n\n${quote.replace('15 декабря', '20 декабря')}`,
        inReplyTo: answerId,
      }),
    );
    expect(await files(first.appealId)).toEqual([QUOTE_FILE, QUOTE_FILE]);
  });
});
