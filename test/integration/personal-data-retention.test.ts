import { randomUUID } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { type AccessScope, Role } from '@inbox/access';
import { AppealQueries, AppealRegistrar, AppealsRepository } from '@inbox/appeals';
import { Transactions } from '@inbox/database';
import { IncidentsRepository } from '@inbox/incidents';
import { InboundStore } from '@inbox/intake';
import { type InboundItem } from '@inbox/integrations/contract';
import { Reports, ReportsModule } from '@inbox/reports';
import { PersonalDataRetention, RetentionModule } from '@inbox/retention';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

const RetentionTestModule = AppealsTestModule.with([ReportsModule, RetentionModule]);

const ERASED_RU = 'Персональные данные удалены по истечении срока хранения';

/** Every row of every table in the database, as text: where personal data could be left. */
async function everything(ds: DataSource): Promise<string> {
  const tables = (await ds.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY tablename`,
  )) as { tablename: string }[];
  const parts: string[] = [];
  for (const { tablename } of tables) {
    const rows = (await ds.query(`SELECT t::text AS row FROM "${tablename}" t ORDER BY 1`)) as {
      row: string;
    }[];
    parts.push(`${tablename}: ${rows.map((r) => r.row).join('\n')}`);
  }
  return parts.join('\n');
}

/**
 * Issue 14, retention: two appeals closed six years ago lose their personal data in every table it lived in,
 * one closed yesterday keeps it (and so does the applicant it shares with an old one), reports still count
 * all three, and a second sweep changes nothing.
 */
describe('personal data retention (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  const id = { old1: '', old2: '', recent: '' };
  const sharedAuthor = `epgu-${randomUUID()}`;
  const fileBytes = {
    old1: Buffer.from('%PDF-1.4 паспорт Смирнова 4500 123456'),
    old2: Buffer.from('%PDF-1.4 справка Кузнецовой'),
  };
  // Strings that belong to the old appeals only and must be gone from the whole database.
  const gone = [
    'Кузнецова',
    'kuznetsova@example.org',
    '+79130000002',
    'ул. Ленина, 5',
    'новосибирск ленина 5',
    'прорвало трубу в подвале',
    'не вывозят мусор третью неделю',
    'паспорт-смирнова.pdf',
    'справка-кузнецовой.pdf',
    fileBytes.old1.toString('base64'),
    'Уважаемый Алексей Игоревич',
    'звонил заявитель',
    'вода затопила кладовку',
    'Затопило кладовку',
    fileBytes.old1.toString('hex'),
    fileBytes.old2.toString('hex'),
  ];
  const supervisor = (organisationId: string): AccessScope => ({
    userId: randomUUID(),
    role: Role.Supervisor,
    organisationId,
    organisationIds: null,
  });

  async function register(ctx: INestApplicationContext, item: InboundItem): Promise<string> {
    const [stored] = await ctx.get(InboundStore).store([item], { enqueue: false });
    const outcome = await ctx.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
    if (outcome.kind !== 'registered') throw new Error(`expected a registration, got ${outcome.kind}`);
    return outcome.appealId;
  }

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(RetentionTestModule, 'retention', {
      PERSONAL_DATA_RETENTION_DAYS: '1826',
      RETENTION_BATCH_SIZE: '1',
    }));
    const ds = db.dataSource;
    const old1Item = inboundItem({
      author: { externalId: sharedAuthor, surname: 'Смирнов', firstName: 'Алексей', patronymic: 'Игоревич' },
      text: 'В доме на ул. Ленина, 5 прорвало трубу в подвале.',
      address: 'г. Новосибирск, ул. Ленина, 5',
      attachments: [
        {
          fileName: 'паспорт-смирнова.pdf',
          contentType: 'application/pdf',
          contentBase64: fileBytes.old1.toString('base64'),
        },
      ],
    });
    id.old1 = await register(ctx, old1Item);
    id.old2 = await register(
      ctx,
      inboundItem({
        author: {
          externalId: `epgu-${randomUUID()}`,
          surname: 'Кузнецова',
          firstName: 'Мария',
          email: 'kuznetsova@example.org',
          phone: '+79130000002',
        },
        text: 'Во дворе не вывозят мусор третью неделю.',
        address: 'г. Новосибирск, ул. Ленина, 5, кв. 7',
        attachments: [
          {
            fileName: 'справка-кузнецовой.pdf',
            contentType: 'application/pdf',
            contentBase64: fileBytes.old2.toString('base64'),
          },
        ],
      }),
    );
    id.recent = await register(
      ctx,
      inboundItem({
        author: { externalId: sharedAuthor, surname: 'Смирнов', firstName: 'Алексей', phone: '+79130000001' },
        text: 'Повторно: во дворе на ул. Кирова, 12 открыт люк.',
      }),
    );
    // What the registrar records for a follow-up and the card for a corrected subject (appeal-registrar,
    // card-editor): the citizen's words in the history.
    await ds.query(
      `INSERT INTO appeal_events (appeal_id, type, data) VALUES
         ($1, 'follow-up-received', '{"channel": "pos", "text": "Дополняю: вода затопила кладовку"}'),
         ($1, 'card-updated', '{"fields": ["subject"], "subject": {"from": null, "to": "Затопило кладовку"}}'),
         ($1, 'rated', '{"satisfaction": "not-satisfied", "poor": true, "text": "Кладовка Смирнова так и в воде"}')`,
      [id.old1],
    );
    // A rating with the citizen's comment (rate.command): their words too; the rating itself is statistics.
    await ds.query(
      `INSERT INTO ratings (appeal_id, channel, external_id, satisfaction, poor, received_at, comment)
       VALUES ($1, 'pos', 'retention-rating', 'not-satisfied', true, now(), 'Кладовка Смирнова так и в воде')`,
      [id.old1],
    );
    // A raw payload left as the channel sent it (a follow-up that failed, or a row older than the trigger).
    await ds.query(`UPDATE inbound_items SET payload = $2 WHERE appeal_id = $1`, [id.old1, old1Item]);
    const [user] = (await ds.query(
      `INSERT INTO users (login, password_hash, full_name, role, organisation_id)
       VALUES ('retention-clerk', 'x', 'Исполнитель', 'clerk', $1) RETURNING id`,
      [await idOf(ds, 'organisations', 'region')],
    )) as { id: string }[];
    for (const [appealId, greeting, note] of [
      [id.old1, 'Уважаемый Алексей Игоревич! Трубу заменили.', 'звонил заявитель'],
      [id.recent, 'Уважаемый Алексей! Люк закрыли.', 'люк проверен'],
    ]) {
      const [answer] = (await ds.query(
        `INSERT INTO answers (appeal_id, organisation_id, author_id, text, status, sent_at)
         SELECT id, organisation_id, $2, $3, 'sent', now() FROM appeals WHERE id = $1 RETURNING id`,
        [appealId, user.id, greeting],
      )) as { id: string }[];
      await ds.query(
        `INSERT INTO outbound_messages (appeal_id, answer_id, channel, kind, text, status)
         VALUES ($1, $2, 'pos', 'answer', $3, 'sent')`,
        [appealId, answer.id, greeting],
      );
      await ds.query(`INSERT INTO appeal_notes (appeal_id, author_id, text) VALUES ($1, $2, $3)`, [
        appealId,
        user.id,
        note,
      ]);
    }
    // The two old appeals are one incident, titled from the first one's text and address (incidentTitle), and a
    // department drafted its answer: copies of their personal data the incident kept after the appeals lost it.
    const incidentId = randomUUID();
    await ctx.get(Transactions).run(async (tx) => {
      await ctx.get(IncidentsRepository).createMany(tx, [
        {
          id: incidentId,
          title: 'В доме на ул. Ленина, 5 прорвало трубу в подвале. — г. Новосибирск, ул. Ленина, 5',
          topicId: null,
          addressKey: 'новосибирск ленина 5',
          at: new Date(),
        },
      ]);
      await ctx.get(AppealsRepository).linkToIncidents(tx, [
        { appealId: id.old1, incidentId },
        { appealId: id.old2, incidentId },
      ]);
    });
    await ctx
      .get(IncidentsRepository)
      .claimDraft(
        incidentId,
        await idOf(ds, 'organisations', 'region'),
        'Уважаемый Алексей Игоревич!',
        user.id,
      );
    await ds.query(
      `UPDATE appeals SET status = 'closed', answered_at = now() - interval '6 years',
              closed_at = now() - interval '6 years' WHERE id = ANY($1)`,
      [[id.old1, id.old2]],
    );
    await ds.query(
      `UPDATE appeals SET status = 'closed', answered_at = now() - interval '1 day', closed_at = now() - interval '1 day'
        WHERE id = $1`,
      [id.recent],
    );
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('erases the old appeals’ personal data everywhere, keeps the statistics and the recent appeal', async () => {
    const ds = db.dataSource;
    const reports = ctx.get(Reports);
    const region = await idOf(ds, 'organisations', 'region');
    const viewer = { organisationId: region, scope: supervisor(region) };
    const countsBefore = await reports.handled({ groupBy: 'channel' }, viewer);
    const recentBefore = (await ds.query(
      `SELECT a.text, a.address, a.applicant_id, p.surname, p.phone FROM appeals a
         JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1`,
      [id.recent],
    )) as unknown[];
    const before = await everything(ds);
    expect(gone.filter((s) => !before.includes(s))).toEqual([]);

    const sweptAt = new Date();
    const result = await ctx.get(PersonalDataRetention).sweep(sweptAt);
    expect(result).toEqual({ erased: 2, batches: 2, inboundErased: 0 });

    const after = await everything(ds);
    expect(gone.filter((s) => after.includes(s))).toEqual([]);

    const erased = (await ds.query(
      `SELECT a.id, a.text, a.subject, a.address, a.reply_address, a.personal_data_erased_at IS NOT NULL AS marked,
              a.channel, a.topic_id IS NOT DISTINCT FROM b.topic_id AS same_topic, a.organisation_id, a.status,
              p.external_id, p.surname, p.first_name, p.email, p.phone, p.postal_address
         FROM appeals a JOIN applicants p ON p.id = a.applicant_id
         JOIN (SELECT id, topic_id FROM appeals) b ON b.id = a.id
        WHERE a.id = ANY($1) ORDER BY a.id`,
      [[id.old1, id.old2]],
    )) as Record<string, unknown>[];
    expect(erased).toHaveLength(2);
    for (const row of erased) {
      expect(row).toMatchObject({
        text: ERASED_RU,
        subject: null,
        address: null,
        reply_address: null,
        marked: true,
        channel: 'pos',
        status: 'closed',
        external_id: null,
        surname: null,
        first_name: null,
        email: null,
        phone: null,
        postal_address: null,
      });
    }
    const files = (await ds.query(`SELECT file_name, sha256 FROM attachments WHERE appeal_id = ANY($1)`, [
      [id.old1, id.old2],
    ])) as { file_name: string; sha256: string | null }[];
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.sha256 === null)).toBe(true);
    const history = (await ds.query(
      `SELECT appeal_id, data FROM appeal_events WHERE type = 'personal-data-erased' ORDER BY appeal_id`,
    )) as { appeal_id: string; data: unknown }[];
    expect(history.map((h) => h.appeal_id).sort()).toEqual([id.old1, id.old2].sort());
    expect(history[0].data).toEqual({ retentionDays: 1826 });
    // The card says when (the workspace shows «Персональные данные удалены …»); the recent one's is null.
    const erasedCard = await ctx.get(AppealQueries).card(id.old1, supervisor(region));
    expect(erasedCard?.personalDataErasedAt).toEqual(sweptAt);
    expect(
      (await ctx.get(AppealQueries).card(id.recent, supervisor(region)))?.personalDataErasedAt,
    ).toBeNull();
    expect(
      await ds.query(
        `SELECT type, data FROM appeal_events WHERE appeal_id = $1
            AND type IN ('follow-up-received', 'card-updated', 'rated')
          ORDER BY id`,
        [id.old1],
      ),
    ).toEqual([
      { type: 'follow-up-received', data: { channel: 'pos', personalDataRemoved: true } },
      { type: 'card-updated', data: { fields: ['subject'], personalDataRemoved: true } },
      { type: 'rated', data: { satisfaction: 'not-satisfied', poor: true, personalDataRemoved: true } },
    ]);
    expect(
      await ds.query(`SELECT satisfaction, poor, comment FROM ratings WHERE appeal_id = $1`, [id.old1]),
    ).toEqual([{ satisfaction: 'not-satisfied', poor: true, comment: null }]);
    // The history is still append-only for anything else.
    await expect(
      ds.query(`UPDATE appeal_events SET type = 'closed' WHERE appeal_id = $1`, [id.old1]),
    ).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM appeal_events WHERE appeal_id = $1`, [id.old1])).rejects.toThrow(
      /append-only/,
    );

    // The recent appeal and the applicant it shares with an old one are untouched.
    expect(
      await ds.query(
        `SELECT a.text, a.address, a.applicant_id, p.surname, p.phone FROM appeals a
           JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1`,
        [id.recent],
      ),
    ).toEqual(recentBefore);
    const recentAnswer = (await ds.query(`SELECT text FROM answers WHERE appeal_id = $1`, [id.recent])) as {
      text: string;
    }[];
    expect(recentAnswer).toEqual([{ text: 'Уважаемый Алексей! Люк закрыли.' }]);

    // Statistics: the reports count the same appeals as before.
    expect(await reports.handled({ groupBy: 'channel' }, viewer)).toEqual(countsBefore);
    expect(countsBefore.totals.received).toBe(3);

    // A second sweep finds nothing and changes nothing.
    expect(await ctx.get(PersonalDataRetention).sweep(new Date())).toEqual({
      erased: 0,
      batches: 0,
      inboundErased: 0,
    });
    expect(await everything(ds)).toEqual(after);
  });

  it('erases the raw payloads of items never registered (quarantined, failed for good) after QUARANTINE_RETENTION_DAYS', async () => {
    const ds = db.dataSource;
    const bytes = {
      old: Buffer.from('%PDF-1.4 скан паспорта Овчинниковой'),
      recent: Buffer.from('%PDF-1.4 фото'),
    };
    const stored = await ctx.get(InboundStore).store(
      [
        inboundItem({
          text: 'Пишет Овчинникова, тел. +79130000077, про свет в подъезде',
          author: { externalId: `tg-${randomUUID()}`, surname: 'Овчинникова', phone: '+79130000077' },
          attachments: [
            {
              fileName: 'паспорт-овчинниковой.pdf',
              contentType: 'application/pdf',
              contentBase64: bytes.old.toString('base64'),
            },
          ],
        }),
        inboundItem({
          text: 'Сообщение Ступиной, которое не разобрали',
          author: { externalId: `tg-${randomUUID()}`, surname: 'Ступина', email: 'stupina@example.org' },
        }),
        inboundItem({
          text: 'Свежее: Лаптева, подъезд 3',
          author: { externalId: `tg-${randomUUID()}`, surname: 'Лаптева' },
          attachments: [
            {
              fileName: 'фото.pdf',
              contentType: 'application/pdf',
              contentBase64: bytes.recent.toString('base64'),
            },
          ],
        }),
      ],
      { enqueue: false },
    );
    const [old, failed, recent] = stored.map((s) => s.inboundItemId);
    await ds.query(
      `UPDATE inbound_items SET status = 'quarantined', error = 'unreadable', processed_at = now() - interval '100 days',
              created_at = now() - interval '100 days' WHERE id = $1`,
      [old],
    );
    await ds.query(
      `UPDATE inbound_items SET status = 'failed', error = 'gave up', processed_at = now() - interval '91 days',
              created_at = now() - interval '91 days' WHERE id = $1`,
      [failed],
    );
    await ds.query(
      `UPDATE inbound_items SET status = 'quarantined', error = 'unreadable', processed_at = now() - interval '10 days'
        WHERE id = $1`,
      [recent],
    );
    await ds.query(
      `INSERT INTO quarantined_inputs (channel, external_id, input_key, reason, raw, created_at) VALUES
         ('vk', 'vk-old', 'vk-old', 'unreadable', '{"text": "Нечитаемое от Головачёвой"}', now() - interval '95 days'),
         ('vk', 'vk-new', 'vk-new', 'unreadable', '{"text": "Нечитаемое от Шубиной"}', now() - interval '5 days')`,
    );
    const gone = [
      'Овчинникова',
      '+79130000077',
      'паспорт-овчинниковой',
      'Ступина',
      'stupina@example.org',
      'Головачёвой',
    ];
    const kept = ['Лаптева', 'Шубиной', 'фото.pdf'];
    const before = await everything(ds);
    expect([...gone, ...kept].filter((s) => !before.includes(s))).toEqual([]);
    expect(before).toContain(bytes.old.toString('hex'));

    // Default period: 90 days.
    expect(await ctx.get(PersonalDataRetention).sweep(new Date())).toEqual({
      erased: 0,
      batches: 0,
      inboundErased: 3,
    });
    const after = await everything(ds);
    expect(gone.filter((s) => after.includes(s))).toEqual([]);
    expect(after).not.toContain(bytes.old.toString('hex'));
    expect(kept.filter((s) => !after.includes(s))).toEqual([]);
    expect(after).toContain(bytes.recent.toString('hex'));
    // What stays: the channel's id (a re-sent item is still known), the state and the reason.
    const [row] = (await ds.query(
      `SELECT status, error, external_id, payload FROM inbound_items WHERE id = $1`,
      [old],
    )) as { status: string; error: string; external_id: string; payload: Record<string, unknown> }[];
    expect(row).toMatchObject({
      status: 'quarantined',
      error: 'unreadable',
      payload: { personalDataRemoved: true },
    });
    expect(await ctx.get(PersonalDataRetention).sweep(new Date())).toEqual({
      erased: 0,
      batches: 0,
      inboundErased: 0,
    });
  });
});
