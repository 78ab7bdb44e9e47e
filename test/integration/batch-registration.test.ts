import { randomUUID } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';
import { AppealRegistrar, type RegistrationOutcome } from '@inbox/appeals';
import { Channel, type InboundItem } from '@inbox/integrations/contract';
import { InboundStore } from '@inbox/intake';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

const NOW = new Date('2026-11-30T09:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const PDF = Buffer.from('%PDF-1.4 схема двора').toString('base64');

/**
 * One mixed batch, each kind of item the intake sees: plain new appeals (one with files, one fast-track, one
 * to a named addressee), two of one applicant, a chat's first message, a follow-up in an open chat, an e-mail
 * reply to an appeal, an item already registered, the same item twice, an invalid one, one the registration
 * statement rejects, and an id that does not exist. `tag` keeps the two copies' channel ids apart.
 */
function mix(tag: string): { before: InboundItem[]; batch: InboundItem[] } {
  const author = (name: string) => ({ externalId: `${tag}-${name}`, surname: 'Петрова', firstName: name });
  const before = [
    inboundItem({
      channel: Channel.Telegram,
      externalId: `${tag}-tg-1`,
      receivedAt: at(60),
      author: author('Чат'),
      text: 'Не вывезли мусор во дворе.',
      thread: { key: `${tag}-chat` },
    }),
    inboundItem({ externalId: `${tag}-registered-before`, receivedAt: at(50), author: author('Ранее') }),
    inboundItem({
      channel: Channel.Email,
      externalId: `${tag}-mail-1`,
      receivedAt: at(40),
      author: { externalId: `${tag}@example.ru`, displayName: 'Иван', email: `${tag}@example.ru` },
      subject: 'Яма на дороге',
      text: 'На ул. Ленина яма.',
      thread: { key: `<${tag}-1@example.ru>` },
    }),
    // Closed later (prepare): a reply to it joins it all the same.
    inboundItem({
      channel: Channel.Email,
      externalId: `${tag}-mail-closed`,
      receivedAt: at(39),
      author: { externalId: `${tag}-closed@example.ru`, email: `${tag}-closed@example.ru` },
      text: 'Не убирают снег.',
      thread: { key: `<${tag}-5@example.ru>` },
    }),
    // Someone else's reply in the first e-mail conversation: its appeal now has two keys.
    inboundItem({
      channel: Channel.Email,
      externalId: `${tag}-mail-1b`,
      receivedAt: at(38),
      author: { externalId: `${tag}-b@example.ru`, email: `${tag}-b@example.ru` },
      text: 'Подтверждаю, яма глубокая.',
      thread: { key: `<${tag}-1b@example.ru>`, refersTo: [`<${tag}-1@example.ru>`] },
    }),
    inboundItem({
      channel: Channel.Ok,
      externalId: `${tag}-ok-1`,
      receivedAt: at(37),
      author: author('ОК'),
      text: 'Не работает лифт.',
      thread: { key: `${tag}-ok-chat` },
    }),
    // Closed later (prepare): the chat's next message opens a new appeal.
    inboundItem({
      channel: Channel.Telegram,
      externalId: `${tag}-tg-done`,
      receivedAt: at(36),
      author: author('Готово'),
      text: 'Сломан светофор.',
      thread: { key: `${tag}-done-chat` },
    }),
  ];
  const batch = [
    inboundItem({
      externalId: `${tag}-new-1`,
      receivedAt: at(10),
      // Wrote before: the card is the one already there, given the e-mail now.
      author: { ...author('Ранее'), email: `${tag}-ranee@example.ru` },
      text: 'Сломана лавочка.',
    }),
    inboundItem({
      externalId: `${tag}-new-files`,
      receivedAt: at(9),
      author: author('Олег'),
      text: 'Схема во вложении.',
      attachments: [
        { fileName: 'схема.pdf', contentType: 'application/pdf', contentBase64: PDF },
        { fileName: 'фото.jpg', contentType: 'image/jpeg', remoteRef: `${tag}-photo`, size: 2048 },
      ],
    }),
    inboundItem({
      externalId: `${tag}-new-fast`,
      receivedAt: at(8),
      author: { surname: 'Без', firstName: 'Идентификатора' },
      regime: 'appeal',
      fastTrack: true,
      channelCategory: { id: '17', name: 'ЖКХ' },
      text: 'Нет отопления в доме.',
    }),
    inboundItem({
      externalId: `${tag}-addressed`,
      receivedAt: at(7),
      author: author('Адресат'),
      addressee: { code: 'MINZHKH' },
      registeredAt: at(5),
      text: 'Прошу проверить управляющую компанию.',
    }),
    inboundItem({
      externalId: `${tag}-same-1`,
      receivedAt: at(6),
      author: author('Дважды'),
      text: 'Первое.',
    }),
    inboundItem({
      externalId: `${tag}-same-2`,
      receivedAt: at(5),
      author: { ...author('Дважды'), phone: '+79130000000' },
      text: 'Второе.',
    }),
    inboundItem({
      channel: Channel.Telegram,
      externalId: `${tag}-tg-new`,
      receivedAt: at(4),
      // A private chat's key is its author's id.
      author: { externalId: `${tag}-other-chat`, firstName: 'Новый чат' },
      text: 'Течёт крыша.',
      replyAddress: { chatId: 42 },
      thread: { key: `${tag}-other-chat` },
    }),
    inboundItem({
      channel: Channel.Telegram,
      externalId: `${tag}-tg-2`,
      receivedAt: at(3),
      author: { ...author('Чат'), phone: '+79131111111' },
      text: 'Добавлю: уже неделю.',
      thread: { key: `${tag}-chat` },
    }),
    inboundItem({
      channel: Channel.Email,
      externalId: `${tag}-mail-2`,
      receivedAt: at(2),
      author: { externalId: `${tag}@example.ru`, displayName: 'Иван' },
      text: 'Спасибо, жду ответа.',
      thread: { key: `<${tag}-2@example.ru>`, refersTo: [`<${tag}-1@example.ru>`] },
    }),
    inboundItem({
      channel: Channel.Email,
      externalId: `${tag}-mail-new`,
      receivedAt: at(2),
      author: { externalId: `${tag}-other@example.ru`, displayName: 'Ольга' },
      subject: 'Освещение',
      text: 'Не горят фонари.',
      thread: { key: `<${tag}-3@example.ru>` },
    }),
    // A new chat's first two messages in one batch: the second joins the appeal the first opens.
    inboundItem({
      channel: Channel.Vk,
      externalId: `${tag}-vk-1`,
      receivedAt: at(2),
      author: author('ВК'),
      text: 'Упало дерево.',
      thread: { key: `${tag}-vk-chat` },
    }),
    inboundItem({
      channel: Channel.Vk,
      externalId: `${tag}-vk-2`,
      receivedAt: at(1),
      author: author('ВК'),
      text: 'На машину.',
      thread: { key: `${tag}-vk-chat` },
    }),
    // A follow-up with files (one stored, one a reference), correcting a message sent before.
    inboundItem({
      channel: Channel.Ok,
      externalId: `${tag}-ok-2`,
      receivedAt: at(1),
      author: { ...author('ОК'), phone: '8 (913) 222-22-22' },
      text: 'Фото лифта во вложении.',
      thread: { key: `${tag}-ok-chat` },
      features: { correctionOf: `${tag}-ok-1` },
      attachments: [
        { fileName: 'лифт.pdf', contentType: 'application/pdf', contentBase64: PDF },
        { fileName: 'лифт.jpg', contentType: 'image/jpeg', remoteRef: `${tag}-lift`, size: 4096 },
      ],
    }),
    inboundItem({
      channel: Channel.Email,
      externalId: `${tag}-mail-closed-reply`,
      receivedAt: at(1),
      author: { externalId: `${tag}-closed@example.ru`, phone: '+79133333333' },
      text: 'Снег так и не убрали.',
      thread: { key: `<${tag}-6@example.ru>`, refersTo: [`<${tag}-5@example.ru>`] },
    }),
    // A reply to a message nobody registered: a new appeal.
    inboundItem({
      channel: Channel.Email,
      externalId: `${tag}-mail-unknown`,
      receivedAt: at(1),
      author: { externalId: `${tag}-unknown@example.ru`, displayName: 'Пётр' },
      text: 'Пересылаю жалобу соседа.',
      thread: { key: `<${tag}-7@example.ru>`, refersTo: [`<${tag}-elsewhere@example.org>`] },
    }),
    // Joins the first e-mail conversation's appeal by its second key, as mail-2 does by its first: in order.
    inboundItem({
      channel: Channel.Email,
      externalId: `${tag}-mail-4`,
      receivedAt: at(1),
      author: { externalId: `${tag}-c@example.ru`, displayName: 'Анна' },
      text: 'И у нас во дворе такая же.',
      thread: { key: `<${tag}-8@example.ru>`, refersTo: [`<${tag}-1b@example.ru>`] },
    }),
    inboundItem({
      channel: Channel.Telegram,
      externalId: `${tag}-tg-done-2`,
      receivedAt: at(1),
      author: author('Готово'),
      text: 'Светофор снова сломан.',
      thread: { key: `${tag}-done-chat` },
    }),
    inboundItem({ externalId: `${tag}-invalid`, receivedAt: at(1), author: author('Пусто') }),
    inboundItem({
      externalId: `${tag}-rejected`,
      receivedAt: at(1),
      author: author('Сбой'),
      attachments: [{ fileName: 'a.bin', contentType: 'application/octet-stream', remoteRef: 'r', size: 1 }],
    }),
  ];
  return { before, batch };
}

describe('registering a batch at once (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let registrar: AppealRegistrar;
  let store: InboundStore;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(AppealsTestModule, 'batch-reg', {
      LOG_LEVEL: 'error',
    }));
    registrar = ctx.get(AppealRegistrar);
    store = ctx.get(InboundStore);
    // A follower of registrations and follow-ups, as the worker's hooks register them: the outbox rows count.
    await db.dataSource.query(
      `INSERT INTO event_consumers (name, channels, types)
       VALUES ('test-follower', '{*}', '{received,registered,routed,follow-up-received,card-updated}')`,
    );
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  /**
   * Stores a copy of the mix and registers what comes before the batch. Returns the batch's ids in order (with
   * one repeated and one that does not exist) and the id of the item the registration statement rejects.
   */
  async function prepare(tag: string): Promise<{ ids: string[]; rejected: string }> {
    const { before, batch } = mix(tag);
    const earlier = await store.store(before, { enqueue: false });
    for (const s of earlier) await registrar.registerInboundItem(s.inboundItemId, NOW);
    const registered = earlier[1];
    await db.dataSource.query(
      `UPDATE appeals SET status = 'closed' WHERE inbound_item_id = ANY($1::uuid[])`,
      [[earlier[3].inboundItemId, earlier[6].inboundItemId]],
    );
    const stored = await store.store(batch, { enqueue: false });
    const id = (suffix: string) =>
      stored[batch.findIndex((b) => b.externalId === `${tag}-${suffix}`)].inboundItemId;
    // What a buggy connector could leave: no text (quarantined), a size that is not a whole number (passes the
    // check, then fails the registration statement itself).
    await db.dataSource.query(`UPDATE inbound_items SET payload = payload - 'text' WHERE id = $1`, [
      id('invalid'),
    ]);
    await db.dataSource.query(
      `UPDATE inbound_items SET payload = jsonb_set(payload, '{attachments,0,size}', '1.5') WHERE id = $1`,
      [id('rejected')],
    );
    const ids = stored.map((s) => s.inboundItemId);
    return {
      ids: [...ids.slice(0, 3), registered.inboundItemId, ids[0], ...ids.slice(3), randomUUID()],
      rejected: id('rejected'),
    };
  }

  /** Everything registration wrote for the items, with ids, numbers and the copy's tag made neutral. */
  async function snapshot(tag: string): Promise<unknown> {
    const rows = (await db.dataSource.query(
      `SELECT i.external_id, i.status, i.error, i.attempts, i.payload,
              to_jsonb(a) - '{id,inbound_item_id,applicant_id,access_code_hash,registration_number,external_id,
                 created_at,updated_at,search_vector}'::text[] AS appeal,
              to_jsonb(p) - '{id,created_at}'::text[] AS applicant,
              (SELECT jsonb_agg(to_jsonb(o) - '{id,appeal_id,created_at}'::text[] ORDER BY o.role)
                 FROM appeal_organisations o WHERE o.appeal_id = a.id) AS organisations,
              (SELECT jsonb_agg(t.thread_key ORDER BY t.thread_key) FROM appeal_threads t
                WHERE t.appeal_id = a.id) AS threads,
              (SELECT jsonb_agg(jsonb_build_object('file', f.file_name, 'type', f.content_type, 'size', f.size,
                        'sha256', f.sha256, 'status', f.status, 'remote', f.remote_ref) ORDER BY f.created_at)
                 FROM attachments f WHERE f.appeal_id = a.id) AS files,
              -- Events appended later than the registration carry the time they were appended (now()).
              (SELECT jsonb_agg(jsonb_build_object('type', e.type, 'actor', e.actor,
                        'at', CASE WHEN e.type IN ('received', 'registered', 'routed') THEN e.occurred_at END,
                        'data', e.data, 'outbox', (SELECT count(*) FROM event_outbox x WHERE x.event_id = e.id))
                        ORDER BY e.id)
                 FROM appeal_events e WHERE e.appeal_id = a.id) AS history
         FROM inbound_items i
         LEFT JOIN appeals a ON a.id = i.appeal_id LEFT JOIN applicants p ON p.id = a.applicant_id
        WHERE i.external_id LIKE $1 ORDER BY i.received_at, i.external_id`,
      [`${tag}-%`],
    )) as unknown[];
    return JSON.parse(
      JSON.stringify(rows)
        .replaceAll(tag, 'TAG')
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID')
        .replace(/\b\d{4}-\d{6,}\b/g, 'NUMBER'),
    );
  }

  const kinds = (outcomes: Map<string, RegistrationOutcome | Error>) =>
    [...outcomes.values()].map((o) => (o instanceof Error ? 'error' : o.kind));

  const ONE_BY_ONE_KINDS = [
    ...Array(3).fill('registered'),
    'already-processed',
    ...Array(3).fill('registered'), // the addressed item, then the two of one applicant
    'registered', // the chat's first message opens an appeal
    'follow-up',
    'follow-up', // the e-mail reply
    'registered', // a new e-mail conversation
    'registered',
    'follow-up', // a new chat's second message
    'follow-up', // with files, a correction and a phone
    'follow-up', // a reply to a closed appeal
    'registered', // a reply to a message never registered
    'follow-up', // the second reply to one appeal
    'registered', // the closed chat's next message
    'quarantined',
    'error', // the rejected item stays pending for the job's retries
    'error', // the missing id
  ];
  const without = (ids: string[], id: string) => ids.filter((x) => x !== id);
  const count = async () =>
    (
      await db.dataSource.query(
        `SELECT (SELECT count(*) FROM appeals)::int AS appeals, (SELECT count(*) FROM appeal_events)::int AS events,
                (SELECT count(*) FROM event_outbox)::int AS outbox, (SELECT count(*) FROM applicants)::int AS applicants`,
      )
    )[0];
  let single: unknown;
  let batch: { ids: string[]; rejected: string };

  beforeAll(async () => {
    const copy = await prepare('single');
    const oneByOne: string[] = [];
    for (const id of new Set(copy.ids)) {
      try {
        oneByOne.push((await registrar.registerInboundItem(id, NOW)).kind);
      } catch {
        oneByOne.push('error');
      }
    }
    expect(oneByOne).toEqual(ONE_BY_ONE_KINDS);
    single = await snapshot('single');
  });

  it('registers the plain new appeals in one statement and writes what one by one writes', async () => {
    batch = await prepare('batch');
    const outcomes = await registrar.registerBatch(without(batch.ids, batch.rejected), NOW);
    expect(kinds(outcomes)).toEqual(without(ONE_BY_ONE_KINDS, 'error').concat('error'));
    // One transaction: the plain new appeals, the new conversations' first messages and the follow-ups and
    // replies joining an appeal no other item of the batch joins were claimed at one now().
    const [claims] = await db.dataSource.query(
      `SELECT count(DISTINCT processed_at)::int AS n FROM inbound_items
        WHERE external_id IN ('batch-new-1', 'batch-new-files', 'batch-new-fast', 'batch-addressed', 'batch-tg-new',
                              'batch-mail-new', 'batch-tg-2', 'batch-ok-2', 'batch-mail-closed-reply',
                              'batch-mail-unknown', 'batch-tg-done-2')`,
    );
    expect(claims.n).toBe(1);
    expect(kinds(await registrar.registerBatch([batch.rejected], NOW))).toEqual(['error']);
    expect(await snapshot('batch')).toEqual(single);

    const [numbers] = await db.dataSource.query(
      `SELECT count(*)::int AS appeals, count(DISTINCT registration_number)::int AS numbers,
              bool_and(registration_number ~ '^2026-\\d{6,}$') AS formatted FROM appeals`,
    );
    expect(numbers).toEqual({ appeals: numbers.appeals, numbers: numbers.appeals, formatted: true });
  });

  it('falls back to one by one when the statement fails: the bad item holds up none of the others', async () => {
    const copy = await prepare('fallback');
    expect(kinds(await registrar.registerBatch(copy.ids, NOW))).toEqual(ONE_BY_ONE_KINDS);
    expect(await snapshot('fallback')).toEqual(single);
  });

  it('leaves an item whose thread another transaction holds to one by one, without holding the rest', async () => {
    const copy = await prepare('held');
    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `${Channel.Telegram}:held-chat`,
    ]);
    const outcomes = registrar.registerBatch(without(copy.ids, copy.rejected), NOW);
    // The batch's transaction commits while the chat is held (what came before, then the batch's other items
    // registered together); the chat's follow-up waits on its own.
    const processed = async () =>
      (
        await db.dataSource.query(
          `SELECT count(*)::int AS n FROM inbound_items WHERE external_id LIKE 'held-%' AND status = 'processed'`,
        )
      )[0].n as number;
    for (let i = 0; i < 100 && (await processed()) < 7 + 10; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await processed()).toBeGreaterThanOrEqual(7 + 10);
    const [chat] = await db.dataSource.query(
      `SELECT status FROM inbound_items WHERE external_id = 'held-tg-2'`,
    );
    expect(chat.status).toBe('pending');
    await holder.commitTransaction();
    await holder.release();
    expect(kinds(await outcomes)).toEqual(without(ONE_BY_ONE_KINDS, 'error').concat('error'));
    await registrar.registerBatch([copy.rejected], NOW);
    expect(await snapshot('held')).toEqual(single);
  });

  it('registers nothing twice on a retry', async () => {
    const settled = await count();
    const retried = await registrar.registerBatch(batch.ids, NOW);
    expect(kinds(retried)).toEqual([...Array(18).fill('already-processed'), 'quarantined', 'error', 'error']);
    expect(await count()).toEqual(settled);
  });

  it('registers each item once when two workers take the same batch at once', async () => {
    const settled = await count();
    const race = await prepare('race');
    const ids = without(race.ids, race.rejected);
    const [first, second] = await Promise.all([
      registrar.registerBatch(ids, NOW),
      registrar.registerBatch(ids, NOW), // a job taken again while its first attempt runs
    ]);
    const registered = [...first.values(), ...second.values()].filter(
      (o) => !(o instanceof Error) && o.kind === 'registered',
    );
    expect(registered).toHaveLength(11);
    await registrar.registerBatch([race.rejected], NOW);
    expect(await snapshot('race')).toEqual(single);
    expect((await count()).appeals - settled.appeals).toBe(6 + 11); // what came before, then the batch
    const [twice] = await db.dataSource.query(
      `SELECT (SELECT count(*) FROM (SELECT appeal_id FROM appeal_events WHERE type = 'registered'
                GROUP BY 1 HAVING count(*) > 1) x)::int AS registered,
              (SELECT count(*) FROM (SELECT data->>'inboundItemId' FROM appeal_events WHERE type = 'follow-up-received'
                GROUP BY 1 HAVING count(*) > 1) x)::int AS follow_ups`,
    );
    expect(twice).toEqual({ registered: 0, follow_ups: 0 });
  });
});
