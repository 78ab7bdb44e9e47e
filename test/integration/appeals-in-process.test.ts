import { type AccessScope, Role, StaffUsers, SYSTEM_SCOPE } from '@inbox/access';
import {
  type Actor,
  AppealChange,
  type AppealListFilter,
  AppealQueries,
  AppealRegistrar,
  AppealWorkflow,
} from '@inbox/appeals';
import { ChannelRegistry, ChannelsModule } from '@inbox/channels';
import { type DomainError, rootLogger } from '@inbox/common';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule, Transactions } from '@inbox/database';
import { MessageDeliveries, MessageDeliveriesModule } from '@inbox/delivery';
import { IncidentMembership, Incidents, IncidentsModule } from '@inbox/incidents';
import { InboundStore, IntakeModule, MAX_ITEM_FILES } from '@inbox/intake';
import { CONNECTORS } from '@inbox/integrations/catalog';
import { Channel, type InboundItem } from '@inbox/integrations/contract';
import {
  channelQueueJob,
  JobName,
  JobProducer,
  LIMITER_GROUP_KEY,
  QueueModule,
  QueueName,
  RETRY_AFTER_BACKOFF,
  storedJobId,
} from '@inbox/queue';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { restoreEnvironmentAfterBlock } from '../support/folded-files';
import { staffActor } from '../support/staff-actor';
import { createTestContext } from '../support/test-context';
import { eventually, registerItemsIn } from '../support/test-stack';
import { appealsWithOwnPeopleSql, type TestDatabase } from '../support/test-database';

/*
 * Five files folded into one (long-words, correction-joins-its-appeal, message-deliveries, cursor-microseconds
 * and inbound-store-unsafe-text): jest loads the appeals' modules once for them, not five times. Each describe
 * block keeps its own stack, context or database, and gets the environment back as it was when it ends.
 */

const NOW = new Date('2026-11-30T09:00:00Z');

/**
 * A citizen's text may hold one very long word (a pasted token, a key held down). to_tsvector keeps words of up
 * to 2 047 bytes; the per-organisation search terms put a 37-byte prefix before each, and a lexeme over 2 047
 * bytes fails the index's expression, so the appeal could not be registered nor its row changed after.
 */
describe('appeals with very long words (integration)', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let ctx: INestApplicationContext;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(AppealsTestModule, 'long-words', { LOG_LEVEL: 'error' }));
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('registers them, one by one and in a batch, and finds them by their other words in a clerk scope', async () => {
    const store = ctx.get(InboundStore);
    const registrar = ctx.get(AppealRegistrar);
    // 1 010 and 1 023 Cyrillic letters: 2 020 and 2 046 bytes, kept by to_tsvector, over the limit once prefixed.
    const texts = [1010, 1023].map((n) => `Прошу убрать сугробы у подъезда ${'ы'.repeat(n)} срочно`);
    const stored = await store.store(
      texts.map((text, k) =>
        inboundItem({
          channel: Channel.Website,
          externalId: `long-${k}`,
          receivedAt: NOW.toISOString(),
          text,
        }),
      ),
      { enqueue: false },
    );
    const single = await registrar.registerInboundItem(stored[0].inboundItemId, NOW);
    const [[, batched]] = await registrar.registerBatch([stored[1].inboundItemId], NOW);
    expect(single.kind).toBe('registered');
    expect(batched instanceof Error ? batched.message : batched.kind).toBe('registered');

    const appeals = (await db.dataSource.query(
      `SELECT id, organisation_id FROM appeals WHERE external_id LIKE 'long-%' ORDER BY external_id`,
    )) as { id: string; organisation_id: string }[];
    expect(appeals).toHaveLength(2);
    // A later change of the row (routing to another organisation) evaluates the index's expression again.
    const [other] = (await db.dataSource.query(
      `SELECT id FROM organisations WHERE id <> $1 AND kind <> 'region' ORDER BY code LIMIT 1`,
      [appeals[0].organisation_id],
    )) as { id: string }[];
    await db.dataSource.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
       VALUES ($1, $2, 'co-executor', now(), 1, 'active')`,
      [appeals[0].id, other.id],
    );

    const clerk: AccessScope = {
      userId: '00000000-0000-0000-0000-000000000001',
      role: Role.Clerk,
      organisationId: other.id,
      organisationIds: [other.id],
    };
    const page = await ctx.get(AppealQueries).list({ q: 'сугробы подъезда', limit: 10 }, clerk);
    expect(page.items.map((a) => a.id)).toEqual([appeals[0].id]);
  });
});

/**
 * A citizen's edit of a message they had sent (Telegram, VK) names the message it corrects. It joined the open
 * appeal of the chat, or, with none open, became a new appeal: a typo fixed after the appeal was closed was
 * registered as a new appeal of the corrected words, and with a newer appeal open in the same chat the correction
 * went to that one. It joins the appeal of the message it corrects now, whatever its status.
 */
describe('an edit joins the appeal of the message it corrects (integration)', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  const chatId = 700_800_001;
  const message = (messageId: number, overrides: Partial<InboundItem> = {}) =>
    inboundItem({
      channel: Channel.Telegram,
      externalId: `${chatId}:${messageId}`,
      author: { externalId: String(chatId), displayName: 'Ирина' },
      replyAddress: { chatId, messageId },
      thread: { key: `chat:${chatId}` },
      ...overrides,
    });
  let edits = 0;
  /** Each edit has its own time, so its own id (`<message>:edit:<edit_date>`). */
  const edit = (messageId: number, text: string) =>
    message(messageId, {
      externalId: `${chatId}:${messageId}:edit:${1741700000 + ++edits}`,
      text,
      features: { correctionOf: `${chatId}:${messageId}` },
    });
  const register = async (item: InboundItem) => {
    const [stored] = await ctx.get(InboundStore).store([item], { enqueue: false });
    return ctx.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
  };
  const registerAll = async (items: InboundItem[]) => {
    const stored = await ctx.get(InboundStore).store(items, { enqueue: false });
    return ctx.get(AppealRegistrar).registerBatch(stored.map((s) => s.inboundItemId));
  };

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(AppealsTestModule, 'correction'));
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('adds an edit made after the appeal was closed to that appeal, not to a new one or to a newer open one', async () => {
    const first = await register(message(1, { text: 'Во дворе дома по ул. Гоголя, 7 не горит фонарь.' }));
    if (first.kind !== 'registered') throw new Error(first.kind);
    await db.dataSource.query(`UPDATE appeals SET status = 'closed', closed_at = now() WHERE id = $1`, [
      first.appealId,
    ]);
    expect(await register(edit(1, 'Во дворе дома по ул. Гоголя, 9 не горит фонарь.'))).toMatchObject({
      kind: 'follow-up',
      appealId: first.appealId,
    });

    // A newer appeal open in the same chat: an edit of the first message is still the first appeal's.
    const second = await register(message(2, { text: 'У подъезда дома 9 яма на проезде.' }));
    if (second.kind !== 'registered') throw new Error(second.kind);
    expect(
      await register(edit(1, 'Во дворе дома по ул. Гоголя, 9 не горит фонарь у подъезда.')),
    ).toMatchObject({ kind: 'follow-up', appealId: first.appealId });
    // The batch path reads the same way.
    const batch = await registerAll([edit(1, 'Фонарь у подъезда № 2.')]);
    expect([...batch.values()]).toEqual([
      expect.objectContaining({ kind: 'follow-up', appealId: first.appealId }),
    ]);

    const corrections = (await db.dataSource.query(
      `SELECT appeal_id AS "appealId", data->>'correctionOf' AS of FROM appeal_events
        WHERE type = 'follow-up-received' ORDER BY id`,
    )) as { appealId: string; of: string }[];
    expect(corrections).toEqual([
      { appealId: first.appealId, of: `${chatId}:1` },
      { appealId: first.appealId, of: `${chatId}:1` },
      { appealId: first.appealId, of: `${chatId}:1` },
    ]);
    const [{ n }] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM appeals`)) as { n: number }[];
    expect(n).toBe(2);
  });
});

const MessageDeliveriesTestModule = AppealsTestModule.with([
  ChannelsModule.forRoot(CONNECTORS),
  MessageDeliveriesModule,
]);

/**
 * Issue 18: a messenger notice is queued straight on its channel's own queue, as the delivery worker's common
 * queue would have routed it (one job, not two); anything else, or a message whose account is not known, still
 * goes to the common queue.
 */
describe('message deliveries (integration)', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let ctx: INestApplicationContext;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(MessageDeliveriesTestModule, 'msgdel', {
      LOG_LEVEL: 'error',
      // A Telegram bot of the region's (never called here: nothing is sent).
      TELEGRAM_BOT_TOKEN: '123456:test-token',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
    }));
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  const messageFor = async (item: InboundItem): Promise<string> => {
    const [stored] = await ctx.get(InboundStore).store([item], { enqueue: false });
    const outcome = await ctx.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
    if (outcome.kind !== 'registered') throw new Error(`expected a registration, got ${outcome.kind}`);
    const [{ id }] = (await db.dataSource.query(
      `INSERT INTO outbound_messages (appeal_id, channel, kind, text)
       SELECT id, channel, 'registration-notice', 'Обращение зарегистрировано' FROM appeals WHERE id = $1 RETURNING id`,
      [outcome.appealId],
    )) as { id: string }[];
    return id;
  };

  it('puts a messenger notice on its channel queue under its account, and the rest on the common queue', async () => {
    const telegram = await messageFor(
      inboundItem({
        channel: Channel.Telegram,
        externalId: `tg-${Date.now()}`,
        regime: 'message',
        replyAddress: { chatId: 4242 },
      }),
    );
    const pos = await messageFor(inboundItem());
    const account = ctx.get(ChannelRegistry).forDelivery(Channel.Telegram);
    expect(account).toBeDefined();

    await ctx.get(MessageDeliveries).enqueue([telegram, pos], rootLogger.child('test'));

    const jobs = ctx.get(JobProducer);
    const channelQueue = jobs.queue(QueueName.DeliveryTelegram);
    const common = jobs.queue(QueueName.Delivery);
    const data = { outboundMessageId: telegram, [LIMITER_GROUP_KEY]: account!.account.id };
    const onChannel = await channelQueue.getJob(storedJobId(channelQueue, telegram, data));
    expect(onChannel?.name).toBe(JobName.DeliverOutboundMessage);
    expect(onChannel?.data).toEqual(data);
    expect(onChannel?.opts.backoff).toEqual({ type: RETRY_AFTER_BACKOFF });
    // One job for the notice: none on the common queue to route it again.
    expect(await common.getJob(telegram)).toBeNull();
    const onCommon = await common.getJob(pos);
    expect(onCommon?.data).toEqual({ outboundMessageId: pos });
    expect(
      await channelQueue.getJob(storedJobId(channelQueue, pos, { ...data, outboundMessageId: pos })),
    ).toBeNull();
  });

  /**
   * A message in a later run — the sweep's second round, a person's retry — has its job under deliveryJobId(id,
   * round, retries). Every producer names that job, never the plain id: a second add is a no-op, not a second run
   * of the same message beside the first (the citizen would get it twice).
   */
  it('queues a message in a later round or retry under its run, once, whichever producer queues it', async () => {
    const jobs = ctx.get(JobProducer);
    const common = jobs.queue(QueueName.Delivery);
    const channelQueue = jobs.queue(QueueName.DeliveryTelegram);
    const account = ctx.get(ChannelRegistry).forDelivery(Channel.Telegram)!.account.id;
    const pos = await messageFor(inboundItem());
    const telegram = await messageFor(
      inboundItem({
        channel: Channel.Telegram,
        externalId: `tg-run-${Date.now()}`,
        regime: 'message',
        replyAddress: { chatId: 4243 },
      }),
    );
    await db.dataSource.query(
      `UPDATE outbound_messages SET retry_rounds = 2, manual_retries = 1 WHERE id = ANY($1::uuid[])`,
      [[pos, telegram]],
    );
    // The runs the sweep queued already (as DeliveryWorker.sweep names them).
    await common.add(
      JobName.DeliverOutboundMessage,
      { outboundMessageId: pos },
      { jobId: `${pos}:round-2:retry-1` },
    );
    const onChannel = channelQueueJob(
      { outboundMessageId: telegram },
      account,
      `${telegram}:round-2:retry-1`,
    );
    await channelQueue.add(JobName.DeliverOutboundMessage, onChannel.data, onChannel.opts);
    const runsOf = async (id: string) =>
      [
        ...(await common.getJobs(['waiting', 'delayed', 'active'])),
        ...(await channelQueue.getJobs(['waiting', 'delayed', 'active'])),
      ]
        .filter((j) => (j.data as { outboundMessageId?: string }).outboundMessageId === id)
        .map((j) => String(j.id));

    for (let k = 0; k < 2; k++) {
      await ctx.get(MessageDeliveries).enqueue([pos, telegram], rootLogger.child('test'));
      await ctx.get(AppealChange).enqueueDelivery(pos);
      await jobs.addMessageDeliveries([{ id: pos, round: 2, retries: 1 }], rootLogger.child('test'));
    }
    expect(await runsOf(pos)).toEqual([`${pos}:round-2:retry-1`]);
    expect(await runsOf(telegram)).toEqual([
      storedJobId(channelQueue, `${telegram}:round-2:retry-1`, {
        outboundMessageId: telegram,
        [LIMITER_GROUP_KEY]: account,
      }),
    ]);
  });
});

const CursorModule = AppealsTestModule.with([IncidentsModule]);

const N = 120;

/**
 * Keyset cursors carry the database's instant to the microsecond. Rows stamped by SQL's now() (triggers, imports,
 * fixtures) differ below the millisecond; a cursor holding a JavaScript Date (milliseconds) repeated or skipped
 * them at page boundaries. 120 appeals (and incidents) within one millisecond, each with its own microsecond,
 * paged 50 at a time in both orders, come back each exactly once and in order.
 */
describe('keyset cursors to the microsecond (integration)', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let ds: DataSource;
  let ctx: INestApplicationContext;
  let queries: AppealQueries;
  let incidents: Incidents;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(CursorModule, 'cursor-us'));
    ds = db.dataSource;
    queries = ctx.get(AppealQueries);
    incidents = ctx.get(Incidents);
    // Registration and due instants all inside one millisecond, each its own microsecond, in orders unlike the ids'.
    await ds.query(
      `${appealsWithOwnPeopleSql({
        count: '$1',
        prefix: 'cursor-',
        before: `base AS (SELECT date_trunc('milliseconds', now()) AS at)`,
      })}
       SELECT '2026-c' || lpad(n::text, 5, '0'), r.reg, r.reg, 'appeal', 'operator', 'cursor-' || n, item_id,
              applicant_id, 'Текст обращения ' || n, 'in_work', (SELECT id FROM organisations WHERE code = 'cur'),
              'Asia/Novosibirsk', r.reg, r.reg, r.due::date, r.due, 'test', 'x'
         FROM pairs CROSS JOIN base CROSS JOIN LATERAL (
           SELECT base.at + make_interval(secs => (n * 7 % $1 + 1) / 1e6) AS reg,
                  base.at + interval '10 days' + make_interval(secs => (n * 11 % $1 + 1) / 1e6) AS due) r`,
      [N],
    );
    await ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
       SELECT id, organisation_id, 'responsible', registered_at, 1, 'active' FROM appeals`,
    );
    await ds.query(
      `INSERT INTO incidents (title, first_at, last_at)
       SELECT 'Инцидент ' || i, t.at, t.at
         FROM generate_series(1, $1) i
         CROSS JOIN LATERAL (SELECT date_trunc('milliseconds', now()) + make_interval(secs => (i * 7 % $1 + 1) / 1e6) AS at) t`,
      [N],
    );
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  const pagedAppeals = async (sort: AppealListFilter['sort']): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queries.list({ limit: 50, cursor, sort }, SYSTEM_SCOPE);
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && ids.length <= 2 * N);
    return ids;
  };
  const expected = async (order: string): Promise<string[]> =>
    ((await ds.query(`SELECT id FROM appeals a ORDER BY ${order}`)) as { id: string }[]).map((r) => r.id);

  it('the timestamps differ only below the millisecond', async () => {
    const [row] = (await ds.query(
      `SELECT count(DISTINCT registered_at)::int AS reg, count(DISTINCT date_trunc('milliseconds', registered_at))::int AS ms,
              count(DISTINCT answer_due_at)::int AS due FROM appeals`,
    )) as { reg: number; ms: number; due: number }[];
    expect(row).toEqual({ reg: N, ms: 1, due: N });
  });

  it('newest first: every appeal exactly once, in order', async () => {
    const ids = await pagedAppeals(undefined);
    expect(new Set(ids).size).toBe(N);
    expect(ids).toEqual(await expected('a.registered_at DESC, a.id DESC'));
  });

  it('by due date: every appeal exactly once, in order', async () => {
    const ids = await pagedAppeals('due');
    expect(new Set(ids).size).toBe(N);
    expect(ids).toEqual(await expected('a.answer_due_at, a.id'));
  });

  it('incidents, newest activity first: every one exactly once, in order', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await incidents.list({ limit: 50, cursor }, SYSTEM_SCOPE);
      ids.push(...page.items.map((i) => i.id));
      expect(page.items.every((i) => !('cursorAt' in i))).toBe(true);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && ids.length <= 2 * N);
    const all = (await ds.query(`SELECT id FROM incidents ORDER BY last_at DESC, id DESC`)) as {
      id: string;
    }[];
    expect(ids).toEqual(all.map((r) => r.id));
  });
});

@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), QueueModule.forRoot(), IntakeModule] })
class StoreTestModule {}

/**
 * A channel's item with a NUL (a mis-decoded letter, a "\u0000" escape in a JSON body) or a lone surrogate:
 * Postgres's jsonb refuses both, and the page's whole insert (items and cursor) failed with it, so the account
 * stopped at that item for good. Stored now with the character dropped (NUL) or replaced (U+FFFD). And an item
 * bringing thousands of files: every one would have become an attachment row of one appeal.
 */
describe('InboundStore: text Postgres cannot hold, files beyond count', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let store: InboundStore;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(StoreTestModule, 'unsafe-text', { LOG_LEVEL: 'error' }));
    store = ctx.get(InboundStore);
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('stores a page whose item carries NUL and a lone surrogate, with the rest of the page', async () => {
    const broken = inboundItem({
      channel: Channel.Email,
      subject: 'Сн\u0000ег',
      text: 'Убер\u0000ите снег \ud83d во дворе',
      author: { externalId: 'a@example.ru', displayName: 'Ив\u0000ан', email: 'a@example.ru' },
      features: { 'note\u0000': 'x\u0000' },
    });
    const fine = inboundItem();
    const stored = await store.store([broken, fine], { enqueue: false });
    expect(stored.map((s) => s.duplicate)).toEqual([false, false]);
    const [row] = await db.dataSource.query(`SELECT payload FROM inbound_items WHERE external_id = $1`, [
      broken.externalId,
    ]);
    expect(row.payload).toMatchObject({
      subject: 'Снег',
      text: 'Уберите снег \ufffd во дворе',
      author: { displayName: 'Иван' },
      features: { note: 'x' },
    });
  });

  it('keeps at most 100 files of an item; the rest are one rejected entry saying how many', async () => {
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);
    const packed = inboundItem({
      channel: Channel.Email,
      attachments: Array.from({ length: 5_000 }, (_, i) => ({
        fileName: `${i}.jpg`,
        contentType: 'image/jpeg',
        size: photo.length,
        contentBase64: photo.toString('base64'),
      })),
    });
    await store.store([packed], { enqueue: false });
    const [row] = await db.dataSource.query(`SELECT payload FROM inbound_items WHERE external_id = $1`, [
      packed.externalId,
    ]);
    const files = row.payload.attachments as {
      fileName: string;
      sha256?: string;
      rejectionReason?: string;
    }[];
    expect(files).toHaveLength(MAX_ITEM_FILES + 1);
    expect(files[99]).toMatchObject({ fileName: '99.jpg', sha256: expect.any(String) });
    expect(files[100]).toEqual({
      fileName: 'Остальные файлы (4900 шт.) не приняты',
      contentType: 'application/octet-stream',
      size: 0,
      rejectionReason: 'too-many',
    });
  });
});

const JoinModule = AppealsTestModule.with([IncidentsModule]);

/**
 * The same citizen sent the same appeal twice: line 1 joins the later into the earlier (JoinCommand). What the
 * later said becomes the earlier's follow-up, the later is closed as joined and its citizen told through its own
 * channel; the refusals (rights, scope, itself, the wrong way round, an answer under way, a closed appeal, a chain)
 * change nothing.
 */
describe('joining a duplicate appeal into the earlier one (integration)', () => {
  restoreEnvironmentAfterBlock();
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let workflow: AppealWorkflow;
  let operator: Actor;
  let clerk: Actor;
  let supervisor: Actor;
  const org: Record<string, string> = {};
  const T0 = new Date('2026-11-30T03:00:00Z');
  const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);
  const chatId = 700_900_001;
  const author = {
    externalId: `epgu-join-${Date.now()}`,
    surname: 'Орлова',
    firstName: 'Нина',
    patronymic: 'Петровна',
  };
  const TEXT = 'Во дворе дома по ул. Фрунзе, 5 третью неделю не вывозят мусор, контейнеры переполнены.';
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    db.dataSource.query(query, params) as Promise<T[]>;
  const at = async (item: InboundItem, when: Date) => (await registerItemsIn(ctx, [item], when))[0];
  const numberOf = async (id: string) =>
    (await sql<{ n: string }>(`SELECT registration_number AS n FROM appeals WHERE id = $1`, [id]))[0].n;
  const state = async (id: string) =>
    (
      await sql<{ status: string; joined: string | null; version: number }>(
        `SELECT status, joined_into_id AS joined, version FROM appeals WHERE id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(JoinModule, 'join-duplicates', { LOG_LEVEL: 'error' }));
    workflow = ctx.get(AppealWorkflow);
    for (const code of ['cur', 'minzhkh']) org[code] = await idOf(db.dataSource, 'organisations', code);
    const users = ctx.get(StaffUsers);
    operator = await staffActor(users, Role.Operator, org.cur, 'Оператор ЦУР');
    clerk = await staffActor(users, Role.Clerk, org.minzhkh, 'Специалист Минжкх');
    supervisor = await staffActor(users, Role.Supervisor, org.minzhkh, 'Руководитель Минжкх');
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('joins the later into the earlier: follow-up, closed as joined, the citizen told; refusals change nothing', async () => {
    const earlier = await at(inboundItem({ channel: Channel.Pos, author, text: TEXT }), T0);
    const file = Buffer.from('%PDF-1.4 фото контейнеров').toString('base64');
    // The same appeal again, a day later, through Telegram, with a photo.
    const later = await at(
      inboundItem({
        channel: Channel.Telegram,
        regime: 'message',
        externalId: `${chatId}:1`,
        author: { externalId: String(chatId), displayName: 'Нина' },
        replyAddress: { chatId, messageId: 1 },
        thread: { key: `chat:${chatId}` },
        text: `${TEXT} Пишу повторно.`,
        attachments: [{ fileName: 'контейнеры.pdf', contentType: 'application/pdf', contentBase64: file }],
      }),
      hours(24),
    );
    const [earlierNo, laterNo] = [await numberOf(earlier), await numberOf(later)];
    // The later one was handed to the ministry: its supervisor and clerk see it, not the earlier one at line 1.
    await workflow.classify(later, operator, await idOf(db.dataSource, 'topics', 'housing'));
    await workflow.escalate(later, operator, {
      organisationIds: [org.minzhkh],
      subject: 'Не вывозят мусор',
      applicant: { surname: 'Орлова', firstName: 'Нина', patronymic: 'Петровна', phone: '+79135550101' },
    });
    const before = await state(later);

    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'joined',
        (e: DomainError) => [e.code, e.message],
      );
    expect(await refusal(workflow.join(later, clerk, { intoNumber: earlierNo }))).toEqual([
      'forbidden',
      expect.stringContaining('оператор 1-й линии или руководитель'),
    ]);
    // Out of the supervisor's scope reads as absent: no word of whether the number exists.
    expect(await refusal(workflow.join(later, supervisor, { intoNumber: earlierNo }))).toEqual([
      'not-found',
      `Обращение № ${earlierNo} не найдено среди доступных вам`,
    ]);
    expect(await refusal(workflow.join(later, operator, { intoNumber: laterNo }))).toEqual([
      'conflict',
      'Нельзя объединить обращение с самим собой',
    ]);
    expect(await refusal(workflow.join(earlier, operator, { intoNumber: laterNo }))).toEqual([
      'conflict',
      expect.stringContaining(`Обращение № ${laterNo} поступило позже`),
    ]);
    expect(await refusal(workflow.join(later, operator, { intoNumber: 'сорок два' }))).toEqual([
      'invalid-input',
      'Укажите номер обращения вида 2026-000123',
    ]);
    // An answer under way on the later one, and a closed earlier one.
    const drafted = await at(inboundItem({ channel: Channel.Pos, author, text: TEXT }), hours(25));
    await workflow.draftAnswer(drafted, operator, { text: 'Вывоз мусора организован.' });
    expect(await refusal(workflow.join(drafted, operator, { intoNumber: earlierNo }))).toEqual([
      'conflict',
      expect.stringContaining('уже готовится или дан ответ'),
    ]);
    const closed = await at(inboundItem({ channel: Channel.Pos, author, text: TEXT }), hours(-48));
    await workflow.close(closed, operator);
    expect(await refusal(workflow.join(later, operator, { intoNumber: await numberOf(closed) }))).toEqual([
      'conflict',
      expect.stringContaining('уже не в работе (статус «Рассмотрение завершено»)'),
    ]);
    expect(await state(later)).toEqual(before);
    expect(await sql(`SELECT 1 FROM appeal_events WHERE type = 'joined' OR data ? 'joinedFrom'`)).toEqual([]);

    expect(
      await workflow.join(later, operator, { intoNumber: `№ ${earlierNo}`, reason: 'Повтор из Telegram' }),
    ).toEqual({
      intoAppealId: earlier,
      intoRegistrationNumber: earlierNo,
    });
    expect(await state(later)).toMatchObject({ status: 'closed', joined: earlier });
    expect(
      await sql(`SELECT state FROM appeal_organisations WHERE appeal_id = $1 AND line = 2`, [later]),
    ).toEqual([{ state: 'closed' }]);
    // Both histories say it; the earlier one got what the later said, as a follow-up, and its file.
    expect(
      await sql(
        `SELECT appeal_id AS "appealId", type, data FROM appeal_events
          WHERE type IN ('joined', 'follow-up-received') ORDER BY id`,
      ),
    ).toEqual([
      {
        appealId: later,
        type: 'joined',
        data: expect.objectContaining({
          intoAppealId: earlier,
          intoRegistrationNumber: earlierNo,
          reason: 'Повтор из Telegram',
          partsClosed: [org.minzhkh],
        }),
      },
      {
        appealId: earlier,
        type: 'follow-up-received',
        data: expect.objectContaining({
          channel: 'telegram',
          text: `Не вывозят мусор.\n${TEXT} Пишу повторно.`,
          attachments: 1,
          joinedFrom: { appealId: later, registrationNumber: laterNo },
        }),
      },
      {
        appealId: earlier,
        type: 'joined',
        data: { fromAppealId: later, fromRegistrationNumber: laterNo, reason: 'Повтор из Telegram' },
      },
    ]);
    expect(
      await sql(`SELECT file_name AS "fileName", status FROM attachments WHERE appeal_id = $1`, [earlier]),
    ).toEqual([{ fileName: 'контейнеры.pdf', status: 'stored' }]);
    expect(
      await ctx
        .get(AppealQueries)
        .attachmentContent(
          earlier,
          (await sql<{ id: string }>(`SELECT id FROM attachments WHERE appeal_id = $1`, [earlier]))[0].id,
          SYSTEM_SCOPE,
        ),
    ).toMatchObject({
      fileName: 'контейнеры.pdf',
    });
    // The citizen is told through the later one's channel, under its number, and the notice is queued to go.
    const [notice] = await sql<{ id: string; channel: string; kind: string; text: string }>(
      `SELECT id, channel, kind, text FROM outbound_messages WHERE appeal_id = $1`,
      [later],
    );
    expect(notice).toMatchObject({ channel: 'telegram', kind: 'status-notice' });
    expect(notice.text).toContain(`сообщение № ${laterNo}`);
    expect(notice.text).toContain(`Ответ вы получите под номером ${earlierNo}.`);
    const queue = ctx.get(JobProducer).queue(QueueName.Delivery);
    await eventually(async () => ((await queue.getJob(notice.id)) ? true : undefined));
    expect(
      await sql(
        `SELECT action, entity_id AS "entityId" FROM audit_log WHERE action IN ('join', 'join-into') AND outcome = 'ok' ORDER BY id`,
      ),
    ).toEqual([
      { action: 'join-into', entityId: earlier },
      { action: 'join', entityId: later },
    ]);
    // The citizen's next message in that chat joins the earlier appeal, the one in work.
    const [next] = await ctx.get(InboundStore).store(
      [
        inboundItem({
          channel: Channel.Telegram,
          regime: 'message',
          externalId: `${chatId}:2`,
          author: { externalId: String(chatId), displayName: 'Нина' },
          thread: { key: `chat:${chatId}` },
          text: 'Так когда вывезут?',
        }),
      ],
      { enqueue: false },
    );
    expect(await ctx.get(AppealRegistrar).registerInboundItem(next.inboundItemId)).toMatchObject({
      kind: 'follow-up',
      appealId: earlier,
    });

    // No chains: into an appeal that was joined, nor the earlier (which has one joined) into another.
    const third = await at(inboundItem({ channel: Channel.Pos, author, text: TEXT }), hours(30));
    expect(await refusal(workflow.join(third, operator, { intoNumber: laterNo }))).toEqual([
      'conflict',
      `Обращение № ${laterNo} само объединено с № ${earlierNo}: объединяйте с № ${earlierNo}`,
    ]);
    const first = await at(inboundItem({ channel: Channel.Pos, author, text: TEXT }), hours(-24));
    expect(await refusal(workflow.join(earlier, operator, { intoNumber: await numberOf(first) }))).toEqual([
      'conflict',
      expect.stringContaining(`уже объединено № ${laterNo}: цепочка объединений не допускается`),
    ]);
    expect(await refusal(workflow.join(later, operator, { intoNumber: earlierNo }))).toEqual([
      'conflict',
      expect.stringContaining('уже не в работе'),
    ]);
    // The card offers the same applicant's earlier appeals in work, newest first: not the joined nor the closed one.
    expect(
      (await ctx.get(AppealQueries).joinCandidates(third, SYSTEM_SCOPE))!.map((c) => c.registrationNumber),
    ).toEqual([await numberOf(drafted), earlierNo, await numberOf(first)]);
    // The clerk's and the supervisor's attempts are on record as denied, with the number they aimed at.
    expect(
      await sql(
        `SELECT user_id AS "userId", details FROM audit_log WHERE action = 'join' AND outcome = 'denied' ORDER BY id`,
      ),
    ).toEqual([
      { userId: clerk.userId, details: {} },
      { userId: supervisor.userId, details: { intoRegistrationNumber: earlierNo } },
    ]);
  });

  it('refuses to join a stranger’s appeal (a mistyped number) unless confirmed; the same person joins by e-mail', async () => {
    const person = (tag: string, surname: string | undefined, email: string) => ({
      externalId: `pos-${tag}-${Date.now()}`,
      ...(surname ? { surname } : {}),
      firstName: 'Илья',
      email,
    });
    const mine = await at(
      inboundItem({
        channel: Channel.Pos,
        author: person('kravtsov', 'Кравцов', 'kravtsov@mail.example'),
        text: TEXT,
      }),
      hours(60),
    );
    const stranger = await at(
      inboundItem({
        channel: Channel.Pos,
        author: person('belov', 'Белов', 'belov@mail.example'),
        text: TEXT,
      }),
      hours(61),
    );
    const [mineNo, strangerNo] = [await numberOf(mine), await numberOf(stranger)];
    const before = await state(stranger);
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => 'joined',
        (e: DomainError) => [e.code, e.message],
      );
    const differ =
      `Заявители обращений № ${strangerNo} и № ${mineNo}, похоже, разные люди: не совпадают фамилия и эл. почта. ` +
      'Сверьте номер; если это один и тот же человек (написал через разные каналы), подтвердите объединение';
    expect(await refused(workflow.join(stranger, operator, { intoNumber: mineNo }))).toEqual([
      'conflict',
      differ,
    ]);
    expect(
      await refused(
        workflow.join(stranger, operator, { intoNumber: mineNo, confirmDifferentApplicant: false }),
      ),
    ).toEqual(['conflict', differ]);
    expect(await state(stranger)).toEqual(before);
    // The clerk's explicit word joins them, and it is on record with what differed.
    expect(
      await workflow.join(stranger, operator, { intoNumber: mineNo, confirmDifferentApplicant: true }),
    ).toEqual({ intoAppealId: mine, intoRegistrationNumber: mineNo });
    expect(
      await sql(`SELECT details FROM audit_log WHERE action = 'join-into' AND entity_id = $1 ORDER BY id`, [
        mine,
      ]),
    ).toEqual([
      {
        details: {
          differentApplicantConfirmed: true,
          differs: ['фамилия', 'эл. почта'],
          fromAppealId: stranger,
        },
      },
    ]);
    expect(
      await sql(
        `SELECT data->'differentApplicantConfirmed' AS c FROM appeal_events WHERE appeal_id = $1 AND type = 'joined'`,
        [stranger],
      ),
    ).toEqual([{ c: true }]);
    // The same person again from another account, with no surname and the e-mail in capitals: no confirmation.
    const again = await at(
      inboundItem({
        channel: Channel.Pos,
        author: person('kravtsov2', undefined, 'KRAVTSOV@Mail.Example'),
        text: TEXT,
      }),
      hours(62),
    );
    expect(await workflow.join(again, operator, { intoNumber: mineNo })).toEqual({
      intoAppealId: mine,
      intoRegistrationNumber: mineNo,
    });
  });

  /**
   * The «repeated» flag names the applicant's earlier appeal already answered or closed (59-ФЗ ст. 11 ч. 5), which
   * no join takes: the card offered «Объединить с обращением» from it and the api refused. The candidates now say,
   * for each, why the join would be refused — the command's own words — or null where it would go.
   */
  it('says for each appeal offered to join into why the join would be refused, in the words of the refusal', async () => {
    const queries = ctx.get(AppealQueries);
    const author = { externalId: `epgu-flag-${Date.now()}`, surname: 'Лебедева', firstName: 'Ольга' };
    const item = (k: number) => inboundItem({ channel: Channel.Pos, author, text: `${TEXT} Раз ${k}.` });
    const answered = await at(item(1), hours(400));
    const open = await at(item(2), hours(401));
    const later = await at(item(3), hours(402));
    const answerId = await workflow.draftAnswer(answered, operator, { text: 'Мусор вывезен.' });
    const approver = await staffActor(ctx.get(StaffUsers), Role.Supervisor, org.cur, 'Руководитель ЦУР');
    await workflow.approveAndSend(answered, answerId, approver);
    const flag = async (on: string, earlier: string) =>
      sql(
        `INSERT INTO appeal_flags (appeal_id, flag, evidence) VALUES ($1, 'repeated', $2::jsonb)
         ON CONFLICT (appeal_id, flag) DO UPDATE SET evidence = EXCLUDED.evidence`,
        [
          on,
          JSON.stringify({
            earlierAppealId: earlier,
            earlierRegistrationNumber: await numberOf(earlier),
            similarity: 0.9,
          }),
        ],
      );
    await flag(later, answered);
    const offers = async (id: string) =>
      Object.fromEntries(
        (await queries.joinCandidates(id, SYSTEM_SCOPE))!.map((c) => [
          c.registrationNumber,
          [c.flagged, c.refusal],
        ]),
      );
    const refusalOf = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: DomainError) => e.message,
      );
    const [answeredNo, openNo] = [await numberOf(answered), await numberOf(open)];
    expect(await offers(later)).toEqual({
      [answeredNo]: [true, expect.stringContaining('уже не в работе (статус «Дан ответ»)')],
      [openNo]: [false, null],
    });
    expect((await offers(later))[answeredNo][1]).toBe(
      await refusalOf(workflow.join(later, operator, { intoNumber: answeredNo })),
    );
    // This appeal itself takes no join (an answer is being prepared): every offer says so.
    await workflow.draftAnswer(later, operator, { text: 'Готовим ответ.' });
    const refused = await refusalOf(workflow.join(later, operator, { intoNumber: openNo }));
    expect(refused).toContain('уже готовится или дан ответ');
    expect(Object.values(await offers(later))).toEqual([
      [true, refused],
      [false, refused],
    ]);
  });

  /**
   * Line 1 corrects the automatic grouping (IncidentMembership): an appeal grouped wrongly leaves its incident — its
   * incident draft discarded, never sent — and the real grouping pass does not put it back; a missed one is added
   * to an open incident and gets the draft waiting for approval; every refusal changes nothing.
   */
  it('excludes an appeal from its incident and adds another; the grouping pass does not put it back', async () => {
    const incidents = ctx.get(Incidents);
    const membership = ctx.get(IncidentMembership);
    const users = ctx.get(StaffUsers);
    const cluClerk = await staffActor(users, Role.Clerk, org.cur, 'Специалист ЦУР');
    const head = await staffActor(users, Role.Head, org.cur, 'Начальник ЦУР');
    const approver = await staffActor(users, Role.Supervisor, org.cur, 'Руководитель ЦУР');
    const WATER =
      'В доме по улице Титова, 12 с утра нет холодной воды во всех подъездах, управляющая компания не отвечает';
    const T1 = hours(200);
    const register = async (text: string) =>
      at(inboundItem({ channel: Channel.Website, text, address: undefined }), T1);
    const grouped = async (id: string) => {
      const [r] = await sql<{ text: string; subject: string | null }>(
        `SELECT text, subject FROM appeals WHERE id = $1`,
        [id],
      );
      return { id, registeredAt: T1, topicId: null, subject: r.subject, text: r.text, address: null };
    };
    const incidentOf = async (id: string) =>
      (
        await sql<{ i: string }>(`SELECT incident_id AS i FROM appeal_incidents WHERE appeal_id = $1`, [id])
      )[0]?.i ?? null;
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'done',
        (e: DomainError) => [e.code, e.message],
      );
    const [a, b, c] = [
      await register(`${WATER}.`),
      await register(`${WATER}, когда дадут воду?`),
      await register(`${WATER} на звонки.`),
    ];
    for (const id of [a, b, c]) await incidents.cluster(await grouped(id));
    const incident = (await incidentOf(a))!;
    expect([await incidentOf(b), await incidentOf(c)]).toEqual([incident, incident]);
    const [{ number }] = await sql<{ number: number }>(`SELECT number::int FROM incidents WHERE id = $1`, [
      incident,
    ]);
    expect(await incidents.draft(incident, 'Подача воды восстановлена.', operator)).toMatchObject({
      drafted: 3,
    });
    const aNo = await numberOf(a);
    const countOf = async () =>
      (await sql<{ n: number }>(`SELECT appeals_count AS n FROM incidents WHERE id = $1`, [incident]))[0].n;

    // Refused: a clerk and a head (403), another organisation's supervisor (as absent), no reason; nothing changes.
    for (const who of [cluClerk, head]) {
      expect(await refusal(membership.exclude(a, who, 'Не про воду'))).toEqual([
        'forbidden',
        'Исключать обращения из инцидента и добавлять их к инциденту может оператор 1-й линии или руководитель',
      ]);
    }
    expect(await refusal(membership.exclude(a, supervisor, 'Не про воду'))).toEqual([
      'not-found',
      'Обращение не найдено',
    ]);
    expect(await refusal(membership.exclude(a, operator, '   '))).toEqual([
      'invalid-input',
      'Укажите, почему обращение не относится к инциденту',
    ]);
    expect(await incidentOf(a)).toBe(incident);

    expect(await membership.exclude(a, operator, 'Другая проблема: вода есть, нет отопления')).toEqual({
      incidentId: incident,
      incidentNumber: number,
      discardedDrafts: 1,
    });
    expect(await incidentOf(a)).toBeNull();
    expect(await countOf()).toBe(2);
    expect(await sql(`SELECT status FROM answers WHERE appeal_id = $1`, [a])).toEqual([
      { status: 'discarded' },
    ]);
    expect(await sql(`SELECT 1 FROM incident_answers WHERE appeal_id = $1`, [a])).toEqual([]);
    expect(
      await sql(`SELECT type, data FROM appeal_events WHERE appeal_id = $1 AND type = 'incident-excluded'`, [
        a,
      ]),
    ).toEqual([
      {
        type: 'incident-excluded',
        data: expect.objectContaining({
          incidentId: incident,
          incidentNumber: number,
          reason: 'Другая проблема: вода есть, нет отопления',
        }),
      },
    ]);
    expect((await incidents.get(incident, SYSTEM_SCOPE)).membershipChanges).toEqual([
      expect.objectContaining({
        kind: 'excluded',
        registrationNumber: aNo,
        reason: 'Другая проблема: вода есть, нет отопления',
        actorName: 'Оператор ЦУР',
      }),
    ]);
    expect(await refusal(membership.exclude(a, operator, 'Ещё раз'))).toEqual([
      'conflict',
      `Обращение № ${aNo} не входит в инцидент`,
    ]);

    // The real grouping pass: routed again (keys saved, a request to group again), it stays on its own; a new
    // appeal like them joins the incident, not the excluded one.
    await ctx.get(Transactions).run(async (tx) => incidents.saveKeys(tx, [await grouped(a)]));
    const d = await register(`${WATER}, третий раз пишу.`);
    await ctx.get(Transactions).run(async (tx) => incidents.saveKeys(tx, [await grouped(d)]));
    const pass = await incidents.clusterPending(10, [a, d]);
    expect(pass.claimed).toBe(2);
    expect(await incidentOf(a)).toBeNull();
    expect(await incidentOf(d)).toBe(incident);
    // The card's dialog does not offer it the incident it was excluded from, not even by number.
    expect((await incidents.candidates(a, SYSTEM_SCOPE))!.map((i) => i.id)).not.toContain(incident);
    expect(await incidents.candidates(a, SYSTEM_SCOPE, String(number))).toEqual([]);

    // Adding a missed one: an appeal of other words gets the draft waiting for approval.
    const e = await register('Прошу проверить давление в трубах: вода идёт еле-еле, напора нет совсем');
    await ctx.get(Transactions).run(async (tx) => incidents.saveKeys(tx, [await grouped(e)]));
    const offered = (await incidents.candidates(e, SYSTEM_SCOPE, `№ ${number}`))!;
    expect(offered.map((i) => [i.id, i.number])).toEqual([[incident, number]]);
    expect((await incidents.candidates(e, SYSTEM_SCOPE, await numberOf(b)))!.map((i) => i.id)).toEqual([
      incident,
    ]);
    for (const who of [cluClerk, head]) {
      expect(await refusal(membership.add(e, who, incident))).toEqual([
        'forbidden',
        expect.stringContaining('оператор 1-й линии или руководитель'),
      ]);
    }
    expect(await refusal(membership.add(e, operator, '00000000-0000-4000-8000-000000000000'))).toEqual([
      'not-found',
      'Инцидент не найден среди доступных вам',
    ]);
    const closed = await register('Спасибо, вопрос решён, благодарю за помощь и оперативность сотрудников');
    await workflow.close(closed, operator);
    expect(await refusal(membership.add(closed, operator, incident))).toEqual([
      'conflict',
      expect.stringContaining('уже не в работе'),
    ]);
    expect(await incidentOf(e)).toBeNull();

    expect(await membership.add(e, operator, incident)).toEqual({
      incidentId: incident,
      incidentNumber: number,
      drafted: true,
      draftRefused: null,
    });
    expect(await incidentOf(e)).toBe(incident);
    expect(await countOf()).toBe(4);
    expect(await refusal(membership.add(e, operator, incident))).toEqual([
      'conflict',
      `Обращение № ${await numberOf(e)} уже входит в инцидент № ${number}: чтобы перенести его, сначала исключите его из этого инцидента`,
    ]);
    expect(
      await sql(`SELECT type, data FROM appeal_events WHERE appeal_id = $1 AND type = 'incident-added'`, [e]),
    ).toEqual([{ type: 'incident-added', data: { incidentId: incident, incidentNumber: number } }]);

    // Approved and sent, an incident answer holds its appeal in the incident.
    expect(await incidents.approve(incident, approver)).toMatchObject({ answered: 3 });
    expect(await refusal(membership.exclude(b, operator, 'Поздно'))).toEqual([
      'conflict',
      expect.stringContaining(`Ответ инцидента № ${number} по обращению № ${await numberOf(b)} уже`),
    ]);
    expect(await incidentOf(b)).toBe(incident);
    expect(
      await sql(
        `SELECT action, outcome FROM audit_log WHERE action IN ('exclude-from-incident', 'add-to-incident')
          AND user_id = $1 AND outcome = 'ok' ORDER BY id`,
        [operator.userId],
      ),
    ).toEqual([
      { action: 'exclude-from-incident', outcome: 'ok' },
      { action: 'add-to-incident', outcome: 'ok' },
    ]);
  });

  /**
   * An incident's state follows its members, however each leaves work: answered on its own card, closed, joined
   * into another appeal, excluded by line 1. None in work: answered (one was) or closed (none was), and out of the
   * open incidents; a member added, or one reopened, opens it again.
   */
  it('an incident is answered or closed once none of its appeals is in work, and reopens with a new one', async () => {
    const incidents = ctx.get(Incidents);
    const membership = ctx.get(IncidentMembership);
    const approver = await staffActor(ctx.get(StaffUsers), Role.Supervisor, org.cur, 'Руководитель ЦУР');
    const [p, q, r, s, earlier, t, u] = await registerItemsIn(
      ctx,
      Array.from({ length: 7 }, (_, k) =>
        inboundItem({ channel: Channel.Website, text: `Не горит фонарь у дома ${k}.`, address: undefined }),
      ),
      hours(320),
    );
    const incidentOf = async (members: string[]) => {
      const [{ id }] = await sql<{ id: string }>(
        `INSERT INTO incidents (title, first_at, last_at, appeals_count) VALUES ('Фонарь', now(), now(), 0)
         RETURNING id`,
      );
      await sql(`INSERT INTO appeal_incidents (appeal_id, incident_id) SELECT unnest($1::uuid[]), $2`, [
        members,
        id,
      ]);
      return id;
    };
    const state = async (id: string) =>
      (
        await sql<{ status: string; answered: boolean }>(
          `SELECT status, answered_at IS NOT NULL AS answered FROM incidents WHERE id = $1`,
          [id],
        )
      )[0];
    const listed = async (status: string) =>
      (await incidents.list({ status, limit: 200 }, SYSTEM_SCOPE)).items.map((i) => i.id);

    const lamp = await incidentOf([p, q, r]);
    expect(await state(lamp)).toEqual({ status: 'open', answered: false });
    // p answered on its own card: q and r are still in work.
    const answerId = await workflow.draftAnswer(p, operator, { text: 'Фонарь заменён.' });
    await workflow.approveAndSend(p, answerId, approver);
    expect(await state(lamp)).toEqual({ status: 'open', answered: false });
    await membership.exclude(q, operator, 'Другой двор');
    await workflow.close(r, operator);
    expect(await state(lamp)).toEqual({ status: 'answered', answered: true });
    expect(await listed('open')).not.toContain(lamp);
    expect(await listed('answered')).toContain(lamp);
    // A member added reopens it; it waits for a draft, and its close answers the incident again.
    expect(await membership.add(s, operator, lamp)).toMatchObject({ incidentId: lamp, drafted: false });
    expect(await state(lamp)).toEqual({ status: 'open', answered: false });
    expect(await listed('open')).toContain(lamp);
    expect((await incidents.get(lamp, SYSTEM_SCOPE)).awaitingDraft).toBe(1);
    await workflow.close(s, operator);
    expect(await state(lamp)).toEqual({ status: 'answered', answered: true });

    // None answered: one excluded, the other joined into an earlier appeal — closed.
    const other = await incidentOf([t, u]);
    await membership.exclude(t, operator, 'Другая улица');
    expect(await state(other)).toEqual({ status: 'open', answered: false });
    await workflow.join(u, operator, { intoNumber: await numberOf(earlier) });
    expect(await state(other)).toEqual({ status: 'closed', answered: false });
    expect(await listed('open')).not.toContain(other);
  });

  /**
   * Line 1 excludes an appeal from its incident at the very moment the incident's answer is drafted, and another at
   * the moment it is approved and sent. Each appeal's lock orders the two: an excluded appeal never gets the
   * incident's answer (nor keeps a draft of it), an answer is never left approved and unsent, and every appeal
   * still in the incident is answered by it.
   */
  it('an exclusion and the incident answer at the same moment: the excluded appeal never gets it', async () => {
    const incidents = ctx.get(Incidents);
    const membership = ctx.get(IncidentMembership);
    const approver = await staffActor(ctx.get(StaffUsers), Role.Supervisor, org.cur, 'Руководитель ЦУР');
    const ROUNDS = 12;
    const ids = await registerItemsIn(
      ctx,
      Array.from({ length: ROUNDS * 3 }, (_, k) =>
        inboundItem({ channel: Channel.Website, text: `Нет воды в доме ${k}.`, address: undefined }),
      ),
      hours(300),
    );
    const outcomes: string[] = [];
    const settle = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: DomainError) => e.message,
      );
    for (let r = 0; r < ROUNDS; r++) {
      const [a, b, c] = ids.slice(r * 3, r * 3 + 3);
      const [{ id: incident }] = await sql<{ id: string }>(
        `INSERT INTO incidents (title, first_at, last_at, appeals_count) VALUES ('Нет воды', now(), now(), 3)
         RETURNING id`,
      );
      await sql(`INSERT INTO appeal_incidents (appeal_id, incident_id) SELECT unnest($1::uuid[]), $2`, [
        [a, b, c],
        incident,
      ]);
      // The draft while c is excluded; the approval while b is.
      outcomes.push(
        ...(await Promise.all([
          settle(incidents.draft(incident, 'Подача воды восстановлена.', operator)),
          settle(membership.exclude(c, operator, 'Другой дом')),
        ])),
      );
      outcomes.push(
        ...(await Promise.all([
          settle(incidents.approve(incident, approver)),
          settle(membership.exclude(b, operator, 'Другая улица')),
        ])),
      );
    }
    // Every step either went or was refused in Russian.
    for (const o of outcomes) expect(o).toMatch(/^(ok|[А-ЯЁ].*)$/u);
    const answers = await sql<{ appealId: string; status: string; member: boolean; told: boolean }>(
      `SELECT n.appeal_id AS "appealId", n.status,
              EXISTS (SELECT 1 FROM appeal_incidents l WHERE l.appeal_id = n.appeal_id) AS member,
              EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = n.appeal_id AND e.type = 'incident-answered'
                         AND e.data->>'answerId' = n.id::text) AS told
         FROM answers n WHERE n.appeal_id = ANY($1::uuid[])`,
      [ids],
    );
    // An excluded appeal: its incident draft discarded, if it had one; none approved, sent or left waiting.
    expect(answers.filter((n) => !n.member && n.status !== 'discarded')).toEqual([]);
    // Never approved and unsent; each one sent went as the incident's answer.
    expect(answers.filter((n) => n.status === 'approved' || (n.status === 'sent' && !n.told))).toEqual([]);
    expect(
      await sql(
        `SELECT d.appeal_id FROM incident_answers d WHERE d.appeal_id = ANY($1::uuid[])
            AND NOT EXISTS (SELECT 1 FROM appeal_incidents l WHERE l.appeal_id = d.appeal_id)`,
        [ids],
      ),
    ).toEqual([]);
    // Every round's first appeal stayed in its incident and was answered by it.
    const firsts = ids.filter((_, k) => k % 3 === 0);
    expect(answers.filter((n) => firsts.includes(n.appealId) && n.status === 'sent')).toHaveLength(ROUNDS);
  });
});
