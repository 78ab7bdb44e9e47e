import { randomBytes, randomUUID } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';
import { AppealHistoryRepository, AppealRegistrar } from '@inbox/appeals';
import { DeliveryRepository } from '@inbox/delivery';
import { InboundStore } from '@inbox/intake';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

/**
 * What DeliveryRepository writes for DeliveryService and the delivery worker's sweep: receipts, failures that
 * never override a sent message, the history events beside them, and the stranded messages a lost job leaves.
 */
describe('delivery state (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let repo: DeliveryRepository;
  let appealId: string;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(AppealsTestModule, 'delivery'));
    repo = new DeliveryRepository(db.dataSource, new AppealHistoryRepository(db.dataSource));
    const item = inboundItem({
      author: { surname: 'Петрова', firstName: 'Ольга', email: 'petrova@example.ru' },
    });
    const [stored] = await ctx.get(InboundStore).store([item], { enqueue: false });
    const outcome = await ctx.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
    if (outcome.kind !== 'registered') throw new Error(`expected a registration, got ${outcome.kind}`);
    appealId = outcome.appealId;
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  const message = async (createdAgo = '0 minutes') => {
    const [{ id }] = await db.dataSource.query(
      `INSERT INTO outbound_messages (appeal_id, channel, kind, text, created_at)
       VALUES ($1, 'pos', 'answer', 'Ответ по существу', now() - $2::interval) RETURNING id`,
      [appealId, createdAgo],
    );
    return id as string;
  };
  const botReply = async (createdAgo = '0 minutes') => {
    const [{ id }] = await db.dataSource.query(
      `INSERT INTO bot_replies (channel, source, purpose, reply_address, text, created_at)
       VALUES ('telegram', $1, 'greeting', '{"chatId": 1}', 'Здравствуйте', now() - $2::interval) RETURNING id`,
      [`test-${randomBytes(4).toString('hex')}`, createdAgo],
    );
    return id as string;
  };
  const eventsOf = async (type: string) =>
    (await db.dataSource.query(
      `SELECT data FROM appeal_events WHERE appeal_id = $1 AND type = $2 ORDER BY id`,
      [appealId, type],
    )) as { data: Record<string, unknown> }[];
  const stateOf = async (table: 'outbound_messages' | 'bot_replies', id: string) =>
    (
      await db.dataSource.query(
        `SELECT status, attempts, last_error AS "lastError", remote_id AS "remoteId" FROM ${table} WHERE id = $1`,
        [id],
      )
    )[0];

  it('reads a message with the applicant’s contacts and the appeal’s references', async () => {
    const id = await message();
    const row = await repo.message(id);
    expect(row).toMatchObject({
      id,
      appeal_id: appealId,
      channel: 'pos',
      status: 'queued',
      email: 'petrova@example.ru',
      display: 'Ольга',
      registration_number: expect.stringMatching(/^\d{4}-\d{6}$/),
    });
    expect(await repo.channelOf({ outboundMessageId: id })).toEqual({ channel: 'pos', accountId: null });
    expect(await repo.message('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('records a receipt with its delivered event, and a later failure changes nothing', async () => {
    const id = await message();
    expect(await repo.claim('message', id, randomUUID(), 30_000)).toEqual({
      kind: 'claimed',
      uncertain: false,
      parts: { ids: [] },
    });
    await repo.markMessageSent(
      { id, appeal_id: appealId, kind: 'answer' },
      { remoteId: 'r-1', sentAt: new Date().toISOString() },
      'pos',
    );
    expect(await stateOf('outbound_messages', id)).toEqual({
      status: 'sent',
      attempts: 1,
      lastError: null,
      remoteId: 'r-1',
    });
    expect((await eventsOf('delivered')).map((e) => e.data)).toContainEqual({
      outboundMessageId: id,
      kind: 'answer',
      channel: 'pos',
      remoteId: 'r-1',
    });
    // Marked twice (a receipt stored again): one delivered event still.
    await repo.markMessageSent(
      { id, appeal_id: appealId, kind: 'answer' },
      { remoteId: 'r-1', sentAt: new Date().toISOString() },
      'pos',
    );
    expect((await eventsOf('delivered')).filter((e) => e.data.outboundMessageId === id)).toHaveLength(1);
    expect(await repo.claim('message', id, randomUUID(), 30_000)).toEqual({ kind: 'sent' });
    expect(await repo.markMessageFailed({ id, appeal_id: appealId }, 'поздно')).toBe(false);
    expect((await stateOf('outbound_messages', id)).status).toBe('sent');
    expect((await eventsOf('delivery-failed')).some((e) => e.data.outboundMessageId === id)).toBe(false);
  });

  it('marks a failure for good with its event, once', async () => {
    const id = await message();
    await repo.recordError('message', id, 'временная ошибка');
    expect((await stateOf('outbound_messages', id)).lastError).toBe('временная ошибка');
    expect(await repo.markMessageFailed({ id, appeal_id: appealId }, 'адрес не существует')).toBe(true);
    expect(await stateOf('outbound_messages', id)).toMatchObject({
      status: 'failed',
      lastError: 'адрес не существует',
    });
    expect((await eventsOf('delivery-failed')).filter((e) => e.data.outboundMessageId === id)).toEqual([
      { data: { outboundMessageId: id, reason: 'адрес не существует' } },
    ]);
    // A connector's refusal names the connector: the card says what it means there (a mailbox refused).
    const refused = await message();
    const smtp = 'NotFound: SMTP RCPT: 550 5.1.1 Recipient address rejected';
    expect(
      await repo.markMessageFailed({ id: refused, appeal_id: appealId }, smtp, undefined, {
        channel: 'email',
      }),
    ).toBe(true);
    expect((await eventsOf('delivery-failed')).filter((e) => e.data.outboundMessageId === refused)).toEqual([
      { data: { outboundMessageId: refused, reason: smtp, channel: 'email' } },
    ]);
    expect(await repo.messageRef(id)).toEqual({ id, appeal_id: appealId });
  });

  it('keeps a sent bot reply sent and fails a queued one', async () => {
    const sent = await botReply();
    await repo.claim('bot-reply', sent, randomUUID(), 30_000);
    await repo.markBotReplySent(sent, { remoteId: 'm-7', sentAt: new Date().toISOString() });
    await repo.markBotReplyFailed(sent, 'поздно');
    expect(await stateOf('bot_replies', sent)).toEqual({
      status: 'sent',
      attempts: 1,
      lastError: null,
      remoteId: 'm-7',
    });
    const failing = await botReply();
    await repo.recordError('bot-reply', failing, 'таймаут');
    await repo.markBotReplyFailed(failing, 'чат недоступен');
    expect(await stateOf('bot_replies', failing)).toMatchObject({
      status: 'failed',
      lastError: 'чат недоступен',
    });
    expect(await repo.botReply(failing)).toMatchObject({ channel: 'telegram', reply_address: { chatId: 1 } });
    expect(await repo.channelOf({ botReplyId: failing })).toEqual({ channel: 'telegram', accountId: null });
  });

  it('lets one sender at a time hold a message; a claim that ran out is an attempt of unknown outcome', async () => {
    const id = await message();
    const first = randomUUID();
    expect(await repo.claim('message', id, first, 30_000)).toEqual({
      kind: 'claimed',
      uncertain: false,
      parts: { ids: [] },
    });
    // A second job for the same message (a sweep's, a stalled job handed over) waits for the claim.
    const held = await repo.claim('message', id, randomUUID(), 30_000);
    expect(held.kind).toBe('held');
    expect(held.kind === 'held' && held.retryAfterMs).toBeGreaterThan(25_000);
    // A failed attempt gives its claim back; another sender's token does not.
    await repo.recordError('message', id, 'таймаут', randomUUID());
    expect((await repo.claim('message', id, randomUUID(), 30_000)).kind).toBe('held');
    await repo.recordError('message', id, 'таймаут', first);
    expect(await repo.claim('message', id, randomUUID(), 50)).toEqual({
      kind: 'claimed',
      uncertain: false,
      parts: { ids: [] },
    });
    // Its sender died mid-send: once the claim has run out, the next sender may send, and knows it is a resend.
    await new Promise((r) => setTimeout(r, 100));
    expect(await repo.claim('message', id, randomUUID(), 30_000)).toEqual({
      kind: 'claimed',
      uncertain: true,
      parts: { ids: [] },
    });
    expect((await stateOf('outbound_messages', id)).attempts).toBe(3);

    const reply = await botReply();
    expect(await repo.claim('bot-reply', reply, randomUUID(), 30_000)).toEqual({
      kind: 'claimed',
      uncertain: false,
      parts: { ids: [] },
    });
    expect((await repo.claim('bot-reply', reply, randomUUID(), 30_000)).kind).toBe('held');
    await repo.markBotReplySent(reply, { remoteId: 'm-9', sentAt: new Date().toISOString() });
    expect(await repo.claim('bot-reply', reply, randomUUID(), 30_000)).toEqual({ kind: 'sent' });
  });

  it('keeps the parts of a send in several as they go, for the claim holder only and in order; a retry is told them', async () => {
    const id = await message();
    const token = randomUUID();
    expect((await repo.claim('message', id, token, 30_000)).kind).toBe('claimed');
    const part = (index: number, remoteId: string) => ({ index, total: 3, remoteId, digest: `d${index}` });
    expect(await repo.recordPart('message', id, token, part(0, '101'))).toBe(true);
    // Out of order, or by a sender whose claim was taken over: not recorded, and that sender stops.
    expect(await repo.recordPart('message', id, token, part(2, '103'))).toBe(false);
    expect(await repo.recordPart('message', id, randomUUID(), part(1, '102'))).toBe(false);
    expect(await repo.recordPart('message', id, token, part(1, '102'))).toBe(true);
    // The third part failed (a 502): the claim given back, the next attempt is told the two parts out and what
    // each was.
    await repo.recordError('message', id, 'Temporary: 502', token);
    expect(await repo.claim('message', id, randomUUID(), 30_000)).toEqual({
      kind: 'claimed',
      uncertain: false,
      parts: { ids: ['101', '102'], total: 3, digests: ['d0', 'd1'] },
    });
    // Failed for good then: the event says how many parts the citizen has.
    await repo.markMessageFailed({ id, appeal_id: appealId }, 'NotFound: blocked', undefined, {
      channel: 'telegram',
    });
    const failed = (await eventsOf('delivery-failed')).find((e) => e.data.outboundMessageId === id);
    expect(failed?.data).toMatchObject({ partsSent: { sent: 2, total: 3 }, channel: 'telegram' });
    expect(await repo.recordPart('message', id, token, part(2, '103'))).toBe(false);

    // A bot reply's parts alike; forgotten (it no longer splits as they did), the next attempt sends it whole.
    const reply = await botReply();
    const mine = randomUUID();
    expect((await repo.claim('bot-reply', reply, mine, 30_000)).kind).toBe('claimed');
    expect(await repo.recordPart('bot-reply', reply, mine, part(0, '201'))).toBe(true);
    await repo.recordError('bot-reply', reply, 'Temporary: 502', mine);
    const again = randomUUID();
    expect(await repo.claim('bot-reply', reply, again, 30_000)).toEqual({
      kind: 'claimed',
      uncertain: false,
      parts: { ids: ['201'], total: 3, digests: ['d0'] },
    });
    await repo.recordError('bot-reply', reply, 'InvalidPayload: parts changed', again, true);
    expect(await repo.claim('bot-reply', reply, randomUUID(), 30_000)).toMatchObject({ parts: { ids: [] } });
  });

  it('never claims a failed message or bot reply: a job run late for one held after an interrupted send sends nothing', async () => {
    // The chaos suite's «Telegram slower than our HTTP timeout»: the send timed out, the notice was held for a person
    // (its claim given back), and a second run of its job (the sweep's, which had seen it queued) claimed it and sent
    // it again.
    const id = await message();
    const first = randomUUID();
    expect(await repo.claim('message', id, first, 30_000)).toEqual({
      kind: 'claimed',
      uncertain: false,
      parts: { ids: [] },
    });
    await repo.markMessageFailed({ id, appeal_id: appealId }, 'прервано', undefined, {
      token: first,
      interrupted: true,
    });
    expect(await repo.claim('message', id, randomUUID(), 30_000)).toEqual({ kind: 'failed' });
    expect(await stateOf('outbound_messages', id)).toMatchObject({ status: 'failed', attempts: 1 });

    // Failed on an outage, it is claimed again once the sweep's next round has queued it, not before.
    const outage = await message();
    expect((await repo.claim('message', outage, first, 30_000)).kind).toBe('claimed');
    await repo.recordError('message', outage, 'Temporary: 502', first);
    await repo.markMessageFailed({ id: outage, appeal_id: appealId }, 'после 3 попыток: 502', {
      firstMs: 0,
      rounds: 1,
    });
    expect(await repo.claim('message', outage, randomUUID(), 30_000)).toEqual({ kind: 'failed' });
    expect((await repo.requeueDueRetries()).map((r) => r.id)).toContain(outage);
    expect((await repo.claim('message', outage, randomUUID(), 30_000)).kind).toBe('claimed');

    const reply = await botReply();
    await repo.markBotReplyFailed(reply, 'чат недоступен');
    expect(await repo.claim('bot-reply', reply, randomUUID(), 30_000)).toEqual({ kind: 'failed' });
  });

  it('brings a bot reply that failed on an outage back by itself, for the configured rounds only', async () => {
    const id = await botReply();
    const outage = { firstMs: 60_000, rounds: 1 };
    const dueNow = async () => {
      await db.dataSource.query(
        `UPDATE bot_replies SET retry_at = now() WHERE id = $1 AND retry_at IS NOT NULL`,
        [id],
      );
      return (await repo.requeueDueBotReplies()).filter((r) => r.id === id);
    };
    await repo.markBotReplyFailed(id, 'после 3 попыток: 502', outage);
    expect((await repo.requeueDueBotReplies()).map((r) => r.id)).not.toContain(id);
    expect(await dueNow()).toEqual([{ id, round: 1, retries: 0 }]);
    expect((await stateOf('bot_replies', id)).status).toBe('queued');
    await repo.markBotReplyFailed(id, 'после 3 попыток: 502', outage);
    expect(await dueNow()).toEqual([]);
    expect((await stateOf('bot_replies', id)).status).toBe('failed');
    // A permanent failure (a blocked chat) never comes back by itself.
    const blocked = await botReply();
    await repo.markBotReplyFailed(blocked, 'blocked: бот заблокирован');
    await db.dataSource.query(
      `UPDATE bot_replies SET retry_at = now() WHERE id = $1 AND retry_at IS NOT NULL`,
      [blocked],
    );
    expect((await repo.requeueDueBotReplies()).map((r) => r.id)).not.toContain(blocked);
  });

  it('finds messages and bot replies still queued longer than the sweep interval after they were made', async () => {
    const oldMessage = await message('2 minutes');
    const freshMessage = await message();
    const oldReply = await botReply('5 minutes');
    const stranded = await repo.stranded();
    expect(stranded).toEqual(
      expect.arrayContaining([
        { id: oldMessage, what: 'message', round: 0, retries: 0 },
        { id: oldReply, what: 'bot-reply', round: 0, retries: 0 },
      ]),
    );
    expect(stranded.map((s) => s.id)).not.toContain(freshMessage);
    // The worker's sweep passes its own interval (PENDING_SWEEP_MS): a notice refused by Redis 5 s ago is found by a
    // 3 s sweep, not left for a minute.
    const refused = await message('5 seconds');
    const refusedReply = await botReply('5 seconds');
    expect(await repo.stranded(3000)).toEqual(
      expect.arrayContaining([
        { id: refused, what: 'message', round: 0, retries: 0 },
        { id: refusedReply, what: 'bot-reply', round: 0, retries: 0 },
      ]),
    );
    expect((await repo.stranded(60_000)).map((s) => s.id)).not.toContain(refused);
    // Sent again by a person («Повторить») in its second round: the sweep names the job that retry queued.
    const retried = await message('2 minutes');
    await db.dataSource.query(
      `UPDATE outbound_messages SET retry_rounds = 2, manual_retries = 1 WHERE id = $1`,
      [retried],
    );
    expect(await repo.stranded(3000)).toContainEqual({ id: retried, what: 'message', round: 2, retries: 1 });
    // Made while the database's clock ran an hour ahead, since stepped back: old, not an hour from being so.
    const ahead = await message('-1 hour');
    expect((await repo.stranded(3000)).map((s) => s.id)).toContain(ahead);
  });

  it('brings a message that failed on an outage back by itself, for the configured rounds only', async () => {
    const ref = { id: await message(), appeal_id: appealId };
    const retryAt = async () =>
      (
        (await db.dataSource.query(
          `SELECT status, retry_rounds AS rounds, retry_at IS NOT NULL AS due
             FROM outbound_messages WHERE id = $1`,
          [ref.id],
        )) as { status: string; rounds: number; due: boolean }[]
      )[0];
    const dueNow = async () => {
      await db.dataSource.query(
        `UPDATE outbound_messages SET retry_at = now() WHERE id = $1 AND retry_at IS NOT NULL`,
        [ref.id],
      );
      return (await repo.requeueDueRetries()).filter((r) => r.id === ref.id);
    };
    const outage = { firstMs: 60_000, rounds: 2 };

    await repo.markMessageFailed(ref, 'после 3 попыток: 502', outage);
    expect(await retryAt()).toMatchObject({ status: 'failed', rounds: 0, due: true });
    // Not yet due: nothing comes back before its time.
    expect((await repo.requeueDueRetries()).map((r) => r.id)).not.toContain(ref.id);
    expect(await dueNow()).toEqual([{ id: ref.id, round: 1, retries: 0 }]);
    expect(await retryAt()).toMatchObject({ status: 'queued', rounds: 1, due: false });

    // The second round waits twice as long, and after the last round the message stays failed for staff.
    // 120 s from the mark: at least that from a moment before it, at most that from a moment after it.
    const [{ before }] = (await db.dataSource.query(`SELECT now() AS before`)) as { before: Date }[];
    await repo.markMessageFailed(ref, 'после 3 попыток: 502', outage);
    const [{ fromBefore, fromAfter }] = (await db.dataSource.query(
      `SELECT extract(epoch FROM retry_at - $2::timestamptz)::float8 AS "fromBefore",
              extract(epoch FROM retry_at - now())::float8 AS "fromAfter"
         FROM outbound_messages WHERE id = $1`,
      [ref.id, before],
    )) as { fromBefore: number; fromAfter: number }[];
    expect(fromBefore).toBeGreaterThanOrEqual(120);
    expect(fromAfter).toBeLessThanOrEqual(120);
    expect(await dueNow()).toEqual([{ id: ref.id, round: 2, retries: 0 }]);
    await repo.markMessageFailed(ref, 'после 3 попыток: 502', outage);
    expect(await retryAt()).toMatchObject({ status: 'failed', rounds: 2, due: false });
    expect(await dueNow()).toEqual([]);
    // The card tells a round to come («повторим позже») from the last one: each event says which it was.
    expect(
      (await eventsOf('delivery-failed'))
        .filter((e) => e.data.outboundMessageId === ref.id)
        .map((e) => e.data.retrying ?? false),
    ).toEqual([true, true, false]);
    const stranded = await repo.stranded();
    expect(stranded.map((s) => s.id)).not.toContain(ref.id);

    // A permanent failure never comes back by itself.
    const permanent = { id: await message(), appeal_id: appealId };
    await repo.markMessageFailed(permanent, 'blocked: чат недоступен');
    expect((await repo.requeueDueRetries()).map((r) => r.id)).not.toContain(permanent.id);
    expect(
      (await db.dataSource.query(`SELECT retry_at FROM outbound_messages WHERE id = $1`, [permanent.id]))[0],
    ).toEqual({ retry_at: null });
  });

  it('holds a message back while an earlier one of the same appeal and channel is still on its way', async () => {
    const telegram = async (createdAgo: string, deliveryState: string | null = null) => {
      const [{ id }] = await db.dataSource.query(
        `INSERT INTO outbound_messages (appeal_id, channel, kind, text, created_at, delivery_state)
         VALUES ($1, 'telegram', 'answer', 'Ответ', now() - $2::interval, $3) RETURNING id`,
        [appealId, createdAgo, deliveryState],
      );
      return { id: id as string, appeal_id: appealId, channel: 'telegram' };
    };
    const first = await telegram('3 seconds');
    const second = await telegram('2 seconds');
    expect(await repo.earlierMessagePending(second)).toBe(true);
    expect(await repo.earlierMessagePending(first)).toBe(false);
    // The sender's first look comes with the message's row (no statement of its own).
    expect((await repo.message(second.id))?.earlier_pending).toBe(true);
    expect((await repo.message(first.id))?.earlier_pending).toBe(false);
    // Another channel of the same appeal does not wait for it.
    expect(await repo.earlierMessagePending({ ...second, channel: 'vk' })).toBe(false);

    await repo.markMessageSent(
      { id: first.id, appeal_id: appealId, kind: 'answer' },
      { remoteId: 't-1', sentAt: new Date().toISOString() },
      'telegram',
    );
    expect(await repo.earlierMessagePending(second)).toBe(false);
    expect((await repo.message(second.id))?.earlier_pending).toBe(false);

    // A failed message, or one an operator hands over by phone, holds nothing back.
    const failed = await telegram('1 second');
    const third = await telegram('0 seconds');
    expect(await repo.earlierMessagePending(third)).toBe(true);
    await repo.markMessageFailed({ id: failed.id, appeal_id: appealId }, 'чат заблокирован');
    await repo.markMessageSent(
      { id: second.id, appeal_id: appealId, kind: 'answer' },
      { remoteId: 't-2', sentAt: new Date().toISOString() },
      'telegram',
    );
    expect(await repo.earlierMessagePending(third)).toBe(false);
    const handover = await telegram('0 seconds', 'awaiting-handover');
    const later = await telegram('-1 second');
    expect(handover.id).toBeDefined();
    await repo.markMessageSent(
      { id: third.id, appeal_id: appealId, kind: 'answer' },
      { remoteId: 't-3', sentAt: new Date().toISOString() },
      'telegram',
    );
    expect(await repo.earlierMessagePending(later)).toBe(false);
    expect((await repo.message(later.id))?.earlier_pending).toBe(false);
    expect((await repo.message(handover.id))?.earlier_pending).toBe(false);
  });
});
