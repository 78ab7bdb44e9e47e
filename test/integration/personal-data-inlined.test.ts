import {
  FIRST_FORM,
  PersonalDataRemovalInlined1796204730000,
} from '../../migrations/1796204730000-PersonalDataRemovalInlined';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Migration PersonalDataRemovalInlined: `inbound_payload_without_personal_data` was rewritten so that Postgres
 * inlines it (no sub-select, no stable function), for the trigger that runs it on every registered item. What it
 * leaves of a payload must stay what its first form (InboundPersonalDataRemoval) left, whatever the payload holds.
 */
describe('inbound_payload_without_personal_data, inlined', () => {
  let db: TestDatabase;

  /** Payloads in the stored item's shape, with and without each part the function touches. */
  const PAYLOADS: unknown[] = [
    {
      text: 'Прошу убрать снег во дворе',
      subject: 'Снег',
      address: 'ул. Ленина, 1',
      replyAddress: { chatId: 42 },
      author: { externalId: 'tg-42', surname: 'Иванов', firstName: 'Иван', phone: '+79130000000' },
      attachments: [
        { fileName: 'фото.jpg', contentType: 'image/jpeg', size: 10, contentBase64: 'AAAA', sha256: 'ab' },
        { fileName: 'скан.pdf', contentType: 'application/pdf', size: 20, remoteRef: 'file-1' },
      ],
      thread: { key: 'chat:42', refersTo: ['m-1'] },
      features: { territory: '54' },
    },
    { text: 'Без файлов', author: { externalId: 'vk-1', displayName: 'Пётр' }, attachments: [] },
    { text: 'Без автора в канале', author: { surname: 'Петров' }, attachments: [] },
    { text: 'Автор без id', author: { externalId: null, email: 'a@mail.example' } },
    { text: 'Нет автора вовсе', channelCategory: { kind: 'form' } },
    { text: 'Файлы не списком', author: { externalId: 'x' }, attachments: { fileName: 'a.txt' } },
    { text: 'Числовой id', author: { externalId: 12345 }, attachments: [{ fileName: 'a.txt', size: 1 }] },
    { personalDataRemoved: true, author: { externalId: 'already' } },
  ];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('leaves of each payload what its first form left', async () => {
    const rows = (await db.dataSource.query(
      `SELECT inbound_payload_without_personal_data(p)::text AS now, (${FIRST_FORM})::text AS first
         FROM jsonb_array_elements($1::jsonb) p`,
      [JSON.stringify(PAYLOADS)],
    )) as { now: string; first: string }[];
    expect(rows).toHaveLength(PAYLOADS.length);
    for (const { now, first } of rows) expect(now).toBe(first);
    expect(rows[0].now).not.toMatch(/Иван|снег|фото|AAAA|\+7913|Ленина|chatId/);
    expect(JSON.parse(rows[0].now)).toMatchObject({
      author: { externalId: 'tg-42' },
      personalDataRemoved: true,
      attachments: [{ contentType: 'image/jpeg', sha256: 'ab' }, { remoteRef: 'file-1' }],
      thread: { key: 'chat:42' },
    });
  });

  it('undone and done again, leaves the same', async () => {
    const runner = db.dataSource.createQueryRunner();
    const migration = new PersonalDataRemovalInlined1796204730000();
    const left = async () =>
      (
        (await runner.query(
          `SELECT inbound_payload_without_personal_data(p)::text AS left FROM jsonb_array_elements($1::jsonb) p`,
          [JSON.stringify(PAYLOADS)],
        )) as { left: string }[]
      ).map((r) => r.left);
    try {
      const now = await left();
      await migration.down(runner);
      expect(await left()).toEqual(now);
      await migration.up(runner);
      expect(await left()).toEqual(now);
    } finally {
      await runner.release();
    }
  });

  it('is inlined: a statement evaluates its body, calls no function of that name', async () => {
    const plan = (await db.dataSource.query(
      `EXPLAIN VERBOSE SELECT inbound_payload_without_personal_data(payload) FROM inbound_items`,
    )) as { 'QUERY PLAN': string }[];
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('jsonb_strip_nulls');
    expect(text).not.toContain('inbound_payload_without_personal_data(');
  });

  it('the registration trigger still strips a registered item', async () => {
    const [{ id }] = (await db.dataSource.query(
      `INSERT INTO inbound_items (channel, external_id, received_at, payload)
       VALUES ('operator', 'inlined-1', now(), $1::jsonb) RETURNING id`,
      [JSON.stringify(PAYLOADS[0])],
    )) as { id: string }[];
    const [[{ payload }]] = (await db.dataSource.query(
      `UPDATE inbound_items SET status = 'processed' WHERE id = $1 RETURNING payload`,
      [id],
    )) as [{ payload: Record<string, unknown> }[], number];
    expect(payload).toMatchObject({ personalDataRemoved: true, author: { externalId: 'tg-42' } });
    expect(JSON.stringify(payload)).not.toMatch(/Иван|снег|фото|AAAA/);
  });
});
