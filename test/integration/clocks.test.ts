import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type INestApplicationContext } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AppealRegistrar } from '@inbox/appeals';
import { ClockMarksRepository, ClockName, ClocksModule, ClockWatcher } from '@inbox/clocks';
import { AppConfig } from '@inbox/config';
import { Transactions } from '@inbox/database';
import { line2AnswerDueAt, line2ExtensionLimitAt, type OrganisationClock } from '@inbox/deadlines';
import { InboundStore } from '@inbox/intake';
import { JobName, JobProducer, QueueName } from '@inbox/queue';
import { SWEEP_DUE_SQL, type SweepReach, sweepSql } from '../../libs/clocks/src/clock-marks.repository';
import { TEST_WORKING_HOURS } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';
import { eventually } from '../support/test-stack';

const ClocksTestModule = AppealsTestModule.with([ClocksModule]);

const WORKER = join(__dirname, '..', '..', 'dist', 'apps', 'worker', 'src', 'main.js');
const HOUR = 3_600_000;
const MINUTE = 60_000;

interface Harness {
  db: TestDatabase;
  ds: DataSource;
  ctx: INestApplicationContext;
  watcher: ClockWatcher;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A throwaway database and the real services in this process, configured through the environment. */
async function harness(extraEnv: Record<string, string> = {}): Promise<Harness> {
  const { db, ctx, env } = await createTestContext(ClocksTestModule, 'clocks', extraEnv);
  return {
    db,
    ds: db.dataSource,
    ctx,
    watcher: ctx.get(ClockWatcher),
    env,
    async close() {
      await ctx.close();
      await db.drop();
    },
  };
}

async function orgId(ds: DataSource, code: string): Promise<string> {
  const [row] = (await ds.query(`SELECT id FROM organisations WHERE code = $1`, [code])) as { id: string }[];
  return row.id;
}

async function createUser(
  ds: DataSource,
  login: string,
  role: string,
  orgCode: string,
  active = true,
): Promise<string> {
  const [row] = (await ds.query(
    `INSERT INTO users (login, password_hash, full_name, role, organisation_id, active)
     VALUES ($1, 'x', $1, $2, (SELECT id FROM organisations WHERE code = $3), $4) RETURNING id`,
    [login, role, orgCode, active],
  )) as { id: string }[];
  return row.id;
}

/** Registers an appeal through the real intake path: stored item → AppealRegistrar. */
async function registerAppeal(
  h: Harness,
  options: { addressee?: string; at?: Date; channel?: string } = {},
): Promise<{ id: string; number: string }> {
  const at = (options.at ?? new Date()).toISOString();
  const item = inboundItem({
    receivedAt: at,
    registeredAt: at,
    ...(options.addressee ? { addressee: { code: options.addressee } } : {}),
  });
  const [stored] = await h.ctx.get(InboundStore).store([item], { enqueue: false });
  const outcome = await h.ctx.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
  if (outcome.kind !== 'registered') throw new Error(`expected a registration, got ${outcome.kind}`);
  return { id: outcome.appealId, number: outcome.registrationNumber };
}

/**
 * `count` in-work appeals of the ministry inserted in one statement, as an import would (the triggers queue each),
 * with their inbound items (external ids `<prefix>-g`) and one applicant. The due times are SQL over `$1` (the
 * registration time) and `g` (1 … count).
 */
async function insertAppeals(
  ds: DataSource,
  prefix: string,
  count: number,
  at: Date,
  due: { answer: string; escalation?: string },
  status = 'in_work',
): Promise<void> {
  await ds.query(
    `WITH items AS (
       INSERT INTO inbound_items (channel, external_id, received_at, payload, status)
       SELECT 'pos', '${prefix}-' || g, $1, '{}', 'processed' FROM generate_series(1, $2::int) g
       RETURNING id, external_id, split_part(external_id, '-', 2)::int AS g
     ), who AS (
       INSERT INTO applicants (channel, surname) VALUES ('pos', 'X') RETURNING id
     )
     INSERT INTO appeals (registration_number, registered_at, received_at, regime, channel, external_id,
        inbound_item_id, applicant_id, text, status, organisation_id, time_zone, registration_due_at,
        redirect_due_at, answer_due_date, answer_due_at, calendar_version, access_code_hash, escalation_due_at)
     SELECT 'N-' || i.external_id, $1, $1, 'appeal', 'pos', i.external_id, i.id, who.id, 'x', $3,
            (SELECT id FROM organisations WHERE code = 'minzhkh'), 'Asia/Novosibirsk', $1, $1, $1::date,
            ${due.answer}, 'ru-2026.1', 'x', ${due.escalation ?? 'NULL::timestamptz'}
       FROM items i, who`,
    [at, count, status],
  );
}

interface MarkRow {
  organisation_id: string;
  clock: string;
  kind: string;
  due_at: Date;
  holder_user_id: string | null;
}

async function marksOf(ds: DataSource, appealId: string, clock?: string): Promise<MarkRow[]> {
  return (await ds.query(
    `SELECT organisation_id, clock, kind, due_at, holder_user_id FROM clock_marks
      WHERE appeal_id = $1 AND ($2::text IS NULL OR clock = $2) ORDER BY id`,
    [appealId, clock ?? null],
  )) as MarkRow[];
}

/** Notifications per user for one appeal and kind. */
async function notified(ds: DataSource, appealId: string, kind: string): Promise<Map<string, string[]>> {
  const rows = (await ds.query(
    `SELECT user_id, text FROM notifications WHERE appeal_id = $1 AND kind = $2 ORDER BY id`,
    [appealId, kind],
  )) as { user_id: string; text: string }[];
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.text]);
  return out;
}

interface DigestRow {
  id: string;
  organisation_id: string;
  kind: string;
  day: string;
  appeal_ids: string[];
  text: string;
  read_at: Date | null;
}

/**
 * A supervisor's counted notices (one per organisation, kind and day) about `organisationId`, of `kind` when given,
 * oldest first.
 */
async function digestsOf(
  ds: DataSource,
  userId: string,
  organisationId: string,
  kind?: string,
): Promise<DigestRow[]> {
  return (await ds.query(
    `SELECT id::text AS id, organisation_id, kind, to_char(digest_day, 'DD.MM.YYYY') AS day, appeal_ids, text,
            read_at
       FROM notifications
      WHERE user_id = $1 AND organisation_id = $2 AND ($3::text IS NULL OR kind = $3) AND appeal_id IS NULL
      ORDER BY digest_day, kind`,
    [userId, organisationId, kind ?? null],
  )) as DigestRow[];
}

const local = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('dd.LL.yyyy HH:mm');
/** The day of `at` in Novosibirsk, the test supervisors' zone (their counted notices are per their day). */
const dayOf = (at: Date) => DateTime.fromJSDate(at, { zone: 'Asia/Novosibirsk' }).toFormat('dd.LL.yyyy');

describe('deadline clocks (integration)', () => {
  let h: Harness;
  let sub: string;
  let minzhkh: string;
  const users: Record<string, string> = {};

  beforeAll(async () => {
    h = await harness();
    // A body subordinate to the ministry, so "supervisor of an ancestor" differs from "region-wide".
    await h.ds.query(
      `INSERT INTO organisations (code, name, short_name, kind, parent_id, time_zone, working_hours)
       VALUES ('gzhi', 'Государственная жилищная инспекция', 'ГЖИ', 'subordinate',
               (SELECT id FROM organisations WHERE code = 'minzhkh'), 'Asia/Novosibirsk', $1)`,
      [TEST_WORKING_HOURS],
    );
    sub = await orgId(h.ds, 'gzhi');
    minzhkh = await orgId(h.ds, 'minzhkh');
    users.supRegion = await createUser(h.ds, 'sup-region', 'supervisor', 'region');
    users.supCur = await createUser(h.ds, 'sup-cur', 'supervisor', 'cur');
    users.supMinzhkh = await createUser(h.ds, 'sup-minzhkh', 'supervisor', 'minzhkh');
    users.supGzhi = await createUser(h.ds, 'sup-gzhi', 'supervisor', 'gzhi');
    users.supMintrans = await createUser(h.ds, 'sup-mintrans', 'supervisor', 'mintrans');
    users.supRetired = await createUser(h.ds, 'sup-retired', 'supervisor', 'minzhkh', false);
    users.clerkMinzhkh = await createUser(h.ds, 'clerk-minzhkh', 'clerk', 'minzhkh');
    users.clerkGzhi = await createUser(h.ds, 'clerk-gzhi', 'clerk', 'gzhi');
    users.operator = await createUser(h.ds, 'operator', 'operator', 'cur');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('marks an answer clock at risk once inside the lead and overdue once past due, with the holder', async () => {
    const now = new Date();
    const appeal = await registerAppeal(h, { addressee: 'gzhi' });
    const due = new Date(now.getTime() + HOUR);
    await h.ds.query(`UPDATE appeals SET assignee_id = $2, answer_due_at = $3 WHERE id = $1`, [
      appeal.id,
      users.clerkGzhi,
      due,
    ]);

    // 73 h before due the default 72 h lead has not started.
    await h.watcher.sweep(new Date(due.getTime() - 73 * HOUR));
    expect(await marksOf(h.ds, appeal.id)).toEqual([]);

    const first = await h.watcher.sweep(now);
    expect(first.byClock['answer/at-risk']).toBeGreaterThanOrEqual(1);
    await h.watcher.sweep(now);
    await h.watcher.sweep(new Date(now.getTime() + 30 * MINUTE));
    const atRisk = {
      organisation_id: sub,
      clock: 'answer',
      kind: 'at-risk',
      due_at: due,
      holder_user_id: users.clerkGzhi,
    };
    expect(await marksOf(h.ds, appeal.id)).toEqual([atRisk]);

    // Exactly at the due time the answer is still in time.
    await h.watcher.sweep(due);
    expect(await marksOf(h.ds, appeal.id)).toEqual([atRisk]);

    await h.watcher.sweep(new Date(due.getTime() + MINUTE));
    await h.watcher.sweep(new Date(due.getTime() + 2 * HOUR));
    expect(await marksOf(h.ds, appeal.id)).toEqual([atRisk, { ...atRisk, kind: 'overdue' }]);

    const events = (await h.ds.query(
      `SELECT type, data FROM appeal_events WHERE appeal_id = $1 AND type LIKE 'clock-%' ORDER BY id`,
      [appeal.id],
    )) as { type: string; data: unknown }[];
    const data = {
      clock: 'answer',
      organisationId: sub,
      dueAt: due.toISOString(),
      holderUserId: users.clerkGzhi,
    };
    expect(events).toEqual([
      { type: 'clock-at-risk', data },
      { type: 'clock-overdue', data },
    ]);

    const atRiskText = `Срок ответа по обращению № ${appeal.number} (ГЖИ) истекает ${local(due, 'Asia/Novosibirsk')} (Новосибирск, UTC+7)`;
    const overdueText = `Просрочен срок ответа по обращению № ${appeal.number} (ГЖИ)`;
    // Appeal by appeal: the supervisors of the holding organisation itself, and the holder, who is to meet the
    // term (the overdue one reached supervisors only), once each, however many sweeps passed the term.
    for (const [kind, text] of [
      ['clock-at-risk', atRiskText],
      ['clock-overdue', overdueText],
    ] as const) {
      const byUser = await notified(h.ds, appeal.id, kind);
      expect(new Map([...byUser].sort())).toEqual(
        new Map([users.supGzhi, users.clerkGzhi].sort().map((u) => [u, [text]])),
      );
      // Those over it — the parent ministry, the region-wide region and management centre — are told counted: the
      // inspection's notice of the day names the appeal.
      for (const over of [users.supMinzhkh, users.supRegion, users.supCur]) {
        const digests = await digestsOf(h.ds, over, sub, kind);
        expect(digests.map((d) => d.appeal_ids)).toEqual([[appeal.id]]);
      }
    }
    const [overdueDigest] = await digestsOf(h.ds, users.supRegion, sub, 'clock-overdue');
    const day = dayOf(new Date(due.getTime() + MINUTE));
    expect(overdueDigest.text).toBe(`ГЖИ: просрочено 1 обращение за ${day} — № ${appeal.number}`);
    const [atRiskDigest] = await digestsOf(h.ds, users.supRegion, sub, 'clock-at-risk');
    expect(atRiskDigest.text).toBe(
      `ГЖИ: срок под угрозой у 1 обращения за ${dayOf(now)} — № ${appeal.number}`,
    );
  });

  it('runs no clock for a closed appeal or one outside the lead', async () => {
    const now = new Date();
    const closed = await registerAppeal(h, { addressee: 'minzhkh' });
    const later = await registerAppeal(h, { addressee: 'minzhkh' });
    await h.ds.query(`UPDATE appeals SET status = 'answered', answer_due_at = $2 WHERE id = $1`, [
      closed.id,
      new Date(now.getTime() - HOUR),
    ]);
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [
      later.id,
      new Date(now.getTime() + 73 * HOUR),
    ]);
    await h.watcher.sweep(now);
    expect(await marksOf(h.ds, closed.id)).toEqual([]);
    expect(await marksOf(h.ds, later.id)).toEqual([]);
  });

  it('gives a line-2 request escalated at 16:30 before the 12 June holiday until 16:00 on Monday 15 June', async () => {
    // Thursday 11 June 2026 is the short pre-holiday day; Friday 12 June is a holiday, then a weekend.
    const escalatedAt = new Date('2026-06-11T09:30:00Z'); // 16:30 Asia/Novosibirsk
    const appeal = await registerAppeal(h, { at: new Date('2026-06-11T09:20:00Z') });
    const [o] = (await h.ds.query(`SELECT time_zone, working_hours FROM organisations WHERE id = $1`, [
      minzhkh,
    ])) as { time_zone: string; working_hours: OrganisationClock['workingHours'] }[];
    const clock: OrganisationClock = { timeZone: o.time_zone, workingHours: o.working_hours };
    const due = line2AnswerDueAt(escalatedAt, clock);
    const limit = line2ExtensionLimitAt(escalatedAt, clock);
    expect(due.toISOString()).toBe('2026-06-15T09:00:00.000Z'); // Mon 16:00 Novosibirsk
    expect(limit.toISOString()).toBe('2026-06-19T09:00:00.000Z'); // 5th working day, 16:00
    await h.ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state, due_at,
                                         extension_limit_at)
       VALUES ($1, $2, 'responsible', $3, 2, 'active', $4, $5)`,
      [appeal.id, minzhkh, escalatedAt, due, limit],
    );
    await h.ds.query(`UPDATE appeals SET line = 2, status = 'escalated', assignee_id = $2 WHERE id = $1`, [
      appeal.id,
      users.clerkMinzhkh,
    ]);
    const [stored] = await h.ds.query(
      `SELECT extension_limit_at FROM appeal_organisations WHERE appeal_id = $1 AND organisation_id = $2`,
      [appeal.id, minzhkh],
    );
    expect(stored.extension_limit_at).toEqual(line2ExtensionLimitAt(escalatedAt, clock));

    // On the holiday a naive "next day" would already be late; the regulation clock is not.
    await h.watcher.sweep(new Date('2026-06-12T05:00:00Z'));
    await h.watcher.sweep(new Date('2026-06-14T10:00:00Z'));
    expect(await marksOf(h.ds, appeal.id, 'line2-answer')).toEqual([]);

    await h.watcher.sweep(new Date('2026-06-15T07:30:00Z')); // 14:30, inside the 120-minute lead
    await h.watcher.sweep(new Date('2026-06-15T09:00:00Z')); // 16:00 sharp: still in time
    const line2 = {
      organisation_id: minzhkh,
      clock: 'line2-answer',
      due_at: due,
      holder_user_id: users.clerkMinzhkh,
    };
    expect(await marksOf(h.ds, appeal.id, 'line2-answer')).toEqual([{ ...line2, kind: 'at-risk' }]);

    await h.watcher.sweep(new Date('2026-06-15T09:01:00Z'));
    await h.watcher.sweep(new Date('2026-06-15T09:30:00Z'));
    expect(await marksOf(h.ds, appeal.id, 'line2-answer')).toEqual([
      { ...line2, kind: 'at-risk' },
      { ...line2, kind: 'overdue' },
    ]);
    const overdue = await notified(h.ds, appeal.id, 'clock-overdue');
    const text = `Просрочен срок ответа 2-й линии по обращению № ${appeal.number} (Министерство ЖКХ и энергетики)`;
    expect(overdue.get(users.supMinzhkh)).toEqual([text]);
    // The region's supervisor: the ministry's notice of the day, not one of the appeal's own.
    expect(overdue.has(users.supRegion)).toBe(false);
    expect(
      (await digestsOf(h.ds, users.supRegion, minzhkh, 'clock-overdue')).find((d) => d.day === '15.06.2026')
        ?.appeal_ids,
    ).toEqual([appeal.id]);
    expect(overdue.has(users.supMintrans)).toBe(false);
    expect(overdue.has(users.supGzhi)).toBe(false); // a subordinate body does not supervise its parent
    // The holder is told too, once.
    expect(overdue.get(users.clerkMinzhkh)).toEqual([text]);
    expect(overdue.has(users.supRetired)).toBe(false);

    // An extension (within the limit) moves the due time: a fresh clock with its own marks.
    await h.ds.query(
      `UPDATE appeal_organisations SET extended_until = $3 WHERE appeal_id = $1 AND organisation_id = $2`,
      [appeal.id, minzhkh, limit],
    );
    await h.watcher.sweep(new Date('2026-06-16T03:00:00Z'));
    expect(await marksOf(h.ds, appeal.id, 'line2-answer')).toHaveLength(2);
    await h.watcher.sweep(new Date('2026-06-19T09:01:00Z'));
    await h.watcher.sweep(new Date('2026-06-19T10:00:00Z'));
    const after = await marksOf(h.ds, appeal.id, 'line2-answer');
    expect(after.slice(2)).toEqual([{ ...line2, due_at: limit, kind: 'overdue' }]);

    // Answered at line 2: the clock stops.
    await h.ds.query(
      `UPDATE appeal_organisations SET state = 'answered', extended_until = $3 WHERE appeal_id = $1 AND organisation_id = $2`,
      [appeal.id, minzhkh, new Date('2026-06-19T09:30:00Z')],
    );
    await h.watcher.sweep(new Date('2026-06-19T12:00:00Z'));
    expect(await marksOf(h.ds, appeal.id, 'line2-answer')).toHaveLength(3);
  });

  it('runs the 15-minute escalation clock only while line 1 holds the appeal', async () => {
    const now = new Date();
    const waiting = await registerAppeal(h);
    const escalated = await registerAppeal(h);
    const takenAtLine2 = await registerAppeal(h);
    const cur = await orgId(h.ds, 'cur');
    const due = new Date(now.getTime() + 3 * MINUTE);
    await h.ds.query(`UPDATE appeals SET escalation_due_at = $2, assignee_id = $3 WHERE id = $1`, [
      waiting.id,
      due,
      users.operator,
    ]);
    await h.ds.query(
      `UPDATE appeals SET escalation_due_at = $2, line = 2, status = 'escalated' WHERE id = $1`,
      [escalated.id, new Date(now.getTime() - MINUTE)],
    );
    await h.ds.query(
      `UPDATE appeals SET escalation_due_at = $2, line = 2, status = 'in_work' WHERE id = $1`,
      [takenAtLine2.id, new Date(now.getTime() - MINUTE)],
    );
    await h.watcher.sweep(new Date(due.getTime() - 6 * MINUTE)); // outside the 5-minute lead
    expect(await marksOf(h.ds, waiting.id, 'escalation')).toEqual([]);
    await h.watcher.sweep(now);
    await h.watcher.sweep(new Date(due.getTime() + MINUTE));
    const mark = { organisation_id: cur, clock: 'escalation', due_at: due, holder_user_id: users.operator };
    expect(await marksOf(h.ds, waiting.id, 'escalation')).toEqual([
      { ...mark, kind: 'at-risk' },
      { ...mark, kind: 'overdue' },
    ]);
    expect(await marksOf(h.ds, escalated.id, 'escalation')).toEqual([]);
    expect(await marksOf(h.ds, takenAtLine2.id, 'escalation')).toEqual([]);
    const text = `Просрочен срок передачи на 2-ю линию по обращению № ${waiting.number} (Центр управления регионом)`;
    expect((await notified(h.ds, waiting.id, 'clock-overdue')).get(users.supCur)).toEqual([text]);
  });

  it('holds a line-2 clock by the assignee only when they work at that organisation', async () => {
    const now = new Date();
    const byOperator = await registerAppeal(h);
    const byGhost = await registerAppeal(h);
    const mintrans = await orgId(h.ds, 'mintrans');
    const due = new Date(now.getTime() - 10 * MINUTE);
    // The operator (management centre) still holds the appeal; line 2 at the ministry has no holder.
    await h.ds.query(`UPDATE appeals SET line = 2, status = 'escalated', assignee_id = $2 WHERE id = $1`, [
      byOperator.id,
      users.operator,
    ]);
    // An assignee id that names no user (appeals.assignee_id has no foreign key) must not break the sweep. The
    // appeal's answer term is not its parts' (a part on that very term is the answer clock itself, not a line-2 one).
    const answerDue = new Date(due.getTime() - MINUTE);
    await h.ds.query(
      `UPDATE appeals SET line = 2, status = 'escalated', assignee_id = $2, answer_due_at = $3 WHERE id = $1`,
      [byGhost.id, '00000000-0000-4000-8000-000000000000', answerDue],
    );
    for (const id of [byOperator.id, byGhost.id]) {
      await h.ds.query(
        `INSERT INTO appeal_organisations (appeal_id, organisation_id, line, state, due_at)
         VALUES ($1, $2, 2, 'active', $4), ($1, $3, 2, 'returned', $4)`,
        [id, minzhkh, mintrans, due],
      );
    }
    await h.watcher.sweep(now);
    const mark = {
      organisation_id: minzhkh,
      clock: 'line2-answer',
      kind: 'overdue',
      due_at: due,
      holder_user_id: null,
    };
    expect(await marksOf(h.ds, byOperator.id, 'line2-answer')).toEqual([mark]);
    expect(await marksOf(h.ds, byGhost.id, 'line2-answer')).toEqual([mark]);
    // The 59-ФЗ answer clock is held where the appeal is worked: at the ministry's active part, not at the
    // management centre that passed it on (the dashboard's «Риски и просрочки по организациям» used to show it
    // there), nor at the part returned as misrouted.
    expect(await marksOf(h.ds, byGhost.id, 'answer')).toEqual([
      { ...mark, clock: 'answer', due_at: answerDue },
    ]);
  });

  it('holds the answer clock at the management centre while no line-2 part is active, by its assignee', async () => {
    const now = new Date();
    const appeal = await registerAppeal(h);
    const due = new Date(now.getTime() - 5 * MINUTE);
    await h.ds.query(`UPDATE appeals SET assignee_id = $2, answer_due_at = $3 WHERE id = $1`, [
      appeal.id,
      users.operator,
      due,
    ]);
    await h.ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, line, state, due_at)
       VALUES ($1, $2, 2, 'answered', $3)`,
      [appeal.id, minzhkh, due],
    );
    await h.watcher.sweep(now);
    expect(await marksOf(h.ds, appeal.id, 'answer')).toEqual([
      {
        organisation_id: await orgId(h.ds, 'cur'),
        clock: 'answer',
        kind: 'overdue',
        due_at: due,
        holder_user_id: users.operator,
      },
    ]);
  });

  it("marks a reopened appeal's one answer term once, at the superior, and tells its clerks and head of the risk and the lapse", async () => {
    // The subordinate inspection answered, the citizen rated it poorly: reopened at the ministry over it, on a fresh
    // answer term (its part runs on it), while the transport ministry still works its own part from before.
    const now = new Date();
    const due = new Date(now.getTime() + HOUR);
    const mintrans = await orgId(h.ds, 'mintrans');
    const headMinzhkh = await createUser(h.ds, 'head-minzhkh', 'head', 'minzhkh');
    const clerkMintrans = await createUser(h.ds, 'clerk-mintrans', 'clerk', 'mintrans');
    const appeal = await registerAppeal(h, { addressee: 'gzhi' });
    await h.ds.query(
      `UPDATE appeals SET status = 'reopened', line = 2, organisation_id = $2, answer_due_at = $3 WHERE id = $1`,
      [appeal.id, minzhkh, due],
    );
    await h.ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, line, state, due_at)
       VALUES ($1, $2, 'co-executor', 2, 'answered', $5), ($1, $3, 'responsible', 2, 'active', $5),
              ($1, $4, 'co-executor', 2, 'active', $6)
       ON CONFLICT (appeal_id, organisation_id) DO UPDATE SET role = EXCLUDED.role, line = 2,
         state = EXCLUDED.state, due_at = EXCLUDED.due_at`,
      [appeal.id, sub, minzhkh, mintrans, due, new Date(now.getTime() + 30 * HOUR)],
    );
    await h.watcher.sweep(now);
    await h.watcher.sweep(new Date(due.getTime() + MINUTE));
    // One answer clock, held at the ministry: not at the co-executor too, nor again as the ministry's line-2 term.
    const mark = { organisation_id: minzhkh, clock: 'answer', due_at: due, holder_user_id: null };
    expect(await marksOf(h.ds, appeal.id)).toEqual([
      { ...mark, kind: 'at-risk' },
      { ...mark, kind: 'overdue' },
    ]);
    // The ministry's own supervisor appeal by appeal; the region's and the management centre's counted.
    const supervisors = [users.supMinzhkh];
    const once = (who: string[], text: string) => new Map([...who].sort().map((u) => [u, [text]]));
    for (const over of [users.supRegion, users.supCur]) {
      for (const kind of ['clock-at-risk', 'clock-overdue']) {
        const digests = await digestsOf(h.ds, over, minzhkh, kind);
        expect(digests.filter((d) => d.appeal_ids.includes(appeal.id))).toHaveLength(1);
      }
    }
    // Nobody holds it: the ministry's clerks and head are told of the lapse and of the risk, once each; the
    // transport ministry not.
    const overdue = await notified(h.ds, appeal.id, 'clock-overdue');
    expect(new Map([...overdue].sort())).toEqual(
      once(
        [...supervisors, users.clerkMinzhkh, headMinzhkh],
        `Просрочен срок ответа по обращению № ${appeal.number} (Министерство ЖКХ и энергетики)`,
      ),
    );
    expect(overdue.has(clerkMintrans)).toBe(false);
    const atRisk = await notified(h.ds, appeal.id, 'clock-at-risk');
    expect(new Map([...atRisk].sort())).toEqual(
      once(
        [...supervisors, users.clerkMinzhkh, headMinzhkh],
        `Срок ответа по обращению № ${appeal.number} (Министерство ЖКХ и энергетики) истекает ${local(due, 'Asia/Novosibirsk')} (Новосибирск, UTC+7)`,
      ),
    );
    expect(atRisk.has(clerkMintrans)).toBe(false);
  });

  it('honours the configured at-risk leads, and a lead of 0 turns at-risk marks off', async () => {
    const now = new Date();
    const watcher = (env: Record<string, string>) => {
      const config = new AppConfig({ ...process.env, ...env });
      return new ClockWatcher(new ClockMarksRepository(h.ds), config, new Transactions(h.ds, config));
    };
    const soon = await registerAppeal(h, { addressee: 'mintrans' });
    const later = await registerAppeal(h, { addressee: 'mintrans' });
    const atNow = await registerAppeal(h, { addressee: 'mintrans' });
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [
      soon.id,
      new Date(now.getTime() + HOUR),
    ]);
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [
      later.id,
      new Date(now.getTime() + 3 * HOUR),
    ]);
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [atNow.id, now]);

    await watcher({ AT_RISK_ANSWER_HOURS: '0' }).sweep(now);
    expect(await marksOf(h.ds, atNow.id)).toEqual([]);
    await watcher({ AT_RISK_ANSWER_HOURS: '2' }).sweep(new Date(now.getTime() - 1));
    expect((await marksOf(h.ds, soon.id)).map((m) => m.kind)).toEqual(['at-risk']);
    expect(await marksOf(h.ds, later.id)).toEqual([]);
  });

  it('writes at-risk times in the zone the clock is counted in', async () => {
    const now = new Date();
    const appeal = await registerAppeal(h, { addressee: 'omsk-district' });
    const clerkOmsk = await createUser(h.ds, 'clerk-omsk', 'clerk', 'omsk-district');
    const due = new Date(now.getTime() + 2 * HOUR);
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [appeal.id, due]);
    await h.watcher.sweep(now);
    const byUser = await notified(h.ds, appeal.id, 'clock-at-risk');
    expect(byUser.get(clerkOmsk)).toEqual([
      `Срок ответа по обращению № ${appeal.number} (Администрация Западного района) истекает ${local(due, 'Asia/Omsk')} (Омск, UTC+6)`,
    ]);
    expect(byUser.has(users.supMinzhkh)).toBe(false);
  });

  it('tells the supervisors over a body of its terms in one notice per kind and day, updated in place; its own, appeal by appeal', async () => {
    // A body of its own under the ministry, so its notices start from none.
    await h.ds.query(
      `INSERT INTO organisations (code, name, short_name, kind, parent_id, time_zone, working_hours)
       VALUES ('gzhi-north', 'Северный отдел ГЖИ', 'Северный отдел ГЖИ', 'subordinate', $1, 'Asia/Novosibirsk', $2)`,
      [minzhkh, TEST_WORKING_HOURS],
    );
    const north = await orgId(h.ds, 'gzhi-north');
    const supNorth = await createUser(h.ds, 'sup-north', 'supervisor', 'gzhi-north');
    const clerkNorth = await createUser(h.ds, 'clerk-north', 'clerk', 'gzhi-north');
    const now = new Date();
    const day = dayOf(now);
    const late: { id: string; number: string }[] = [];
    for (let i = 0; i < 5; i++) late.push(await registerAppeal(h, { addressee: 'gzhi-north' }));
    const [first, last] = [late.slice(0, 4), late[4]];
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = ANY($1)`, [
      first.map((a) => a.id),
      new Date(now.getTime() - 10 * MINUTE),
    ]);
    await h.watcher.sweep(now);
    // Its own supervisor and its clerks (nobody holds the appeals) are told appeal by appeal.
    for (const a of first) {
      const byUser = await notified(h.ds, a.id, 'clock-overdue');
      expect([...byUser.keys()].sort()).toEqual([supNorth, clerkNorth].sort());
    }
    // Those over it — the ministry's, the region's and the management centre's — not one row per appeal (the
    // region's read «99+» after a busy day) but the body's one notice of the day, naming the latest appeals.
    const over = [users.supMinzhkh, users.supRegion, users.supCur];
    const [perAppeal] = await h.ds.query(
      `SELECT count(*)::int AS n FROM notifications WHERE user_id = ANY($1) AND appeal_id = ANY($2)`,
      [over, late.map((a) => a.id)],
    );
    expect(perAppeal.n).toBe(0);
    const number = String.raw`№ \d{4}-\d{6}`;
    for (const user of over) {
      const digests = await digestsOf(h.ds, user, north);
      expect(digests).toHaveLength(1);
      expect(digests[0]).toMatchObject({ kind: 'clock-overdue', day, read_at: null });
      expect([...digests[0].appeal_ids].sort()).toEqual(first.map((a) => a.id).sort());
      expect(digests[0].text).toMatch(
        new RegExp(
          `^Северный отдел ГЖИ: просрочено 4 обращения за ${day} — последние ${number}, ${number}, ${number}$`,
        ),
      );
    }

    // Read; then one more appeal late: the same notice, counted anew, unread again and first in the list.
    const [before] = await digestsOf(h.ds, users.supRegion, north);
    expect(await h.watcher.markNotificationRead(users.supRegion, before.id)).toBe(true);
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [
      last.id,
      new Date(now.getTime() - 5 * MINUTE),
    ]);
    const next = await h.watcher.sweep(new Date(now.getTime() + 10_000));
    expect(next).toMatchObject({ marks: 1, notifications: 2, digests: over.length });
    const [after, ...more] = await digestsOf(h.ds, users.supRegion, north);
    expect(more).toEqual([]);
    expect(after.appeal_ids).toEqual([...before.appeal_ids, last.id]);
    expect(after.read_at).toBeNull();
    expect(BigInt(after.id)).toBeGreaterThan(BigInt(before.id));
    expect(after.text).toMatch(
      new RegExp(
        `^Северный отдел ГЖИ: просрочено 5 обращений за ${day} — последние № ${last.number}, ${number}, ${number}$`,
      ),
    );
    const [newest] = await h.watcher.notificationsFor(users.supRegion, { unreadOnly: true });
    expect(newest).toMatchObject({ id: after.id, appealId: null, organisationId: north, appealCount: 5 });
    // Nothing lost: each appeal's mark and history event is there, as the overdue queue reads them.
    const [facts] = await h.ds.query(
      `SELECT (SELECT count(*) FROM clock_marks WHERE appeal_id = ANY($1) AND kind = 'overdue')::int AS marks,
              (SELECT count(*) FROM appeal_events WHERE appeal_id = ANY($1) AND type = 'clock-overdue')::int AS events`,
      [late.map((a) => a.id)],
    );
    expect(facts).toEqual({ marks: 5, events: 5 });
  });

  it('after the watermark reads what crossed since, and clocks changed behind it through the queue', async () => {
    const now = new Date();
    const reopened = await registerAppeal(h, { addressee: 'mintrans' });
    const ticking = await registerAppeal(h, { addressee: 'mintrans' });
    const part = await registerAppeal(h, { addressee: 'mintrans' });
    await h.ds.query(`UPDATE appeals SET status = 'answered', answer_due_at = $2 WHERE id = $1`, [
      reopened.id,
      new Date(now.getTime() - 2 * HOUR),
    ]);
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [
      ticking.id,
      new Date(now.getTime() + 30 * MINUTE),
    ]);
    await h.ds.query(`UPDATE appeals SET line = 2, status = 'escalated' WHERE id = $1`, [part.id]);
    await h.ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, line, state, due_at)
       VALUES ($1, $2, 2, 'active', $3)`,
      [part.id, minzhkh, new Date(now.getTime() + 30 * HOUR)],
    );
    await h.watcher.sweep(now);
    expect(await marksOf(h.ds, reopened.id)).toEqual([]);
    expect((await marksOf(h.ds, ticking.id)).map((m) => m.kind)).toEqual(['at-risk']);
    expect(await marksOf(h.ds, part.id, 'line2-answer')).toEqual([]);
    const [queued] = await h.ds.query(`SELECT count(*)::int AS n FROM clock_sweep_queue`);
    expect(queued.n).toBe(0);
    const [state] = await h.ds.query(`SELECT swept_until FROM clock_sweep_state`);
    expect(state.swept_until).toEqual(now);

    // Behind the watermark: reopened with its old (past) term, a line-2 term moved inside the lead. Neither
    // line is crossed in the next window; the triggers queued both appeals.
    await h.ds.query(`UPDATE appeals SET status = 'reopened' WHERE id = $1`, [reopened.id]);
    await h.ds.query(`UPDATE appeal_organisations SET due_at = $2 WHERE appeal_id = $1`, [
      part.id,
      new Date(now.getTime() + HOUR),
    ]);
    const next = new Date(now.getTime() + 10_000);
    await h.watcher.sweep(next);
    expect((await marksOf(h.ds, reopened.id)).map((m) => m.kind)).toEqual(['overdue']);
    expect((await marksOf(h.ds, part.id, 'line2-answer')).map((m) => m.kind)).toEqual(['at-risk']);

    // An unchanged clock crossing its line later is read by the window alone.
    await h.watcher.sweep(new Date(now.getTime() + 31 * MINUTE));
    expect((await marksOf(h.ds, ticking.id)).map((m) => m.kind)).toEqual(['at-risk', 'overdue']);
  });

  it('vacuums the queue after a large drain, so the next sweeps read neither its empty pages nor its count', async () => {
    // Read since the watermark of a sweep before (not a full sweep, which reads everything and always vacuums).
    const [state] = (await h.ds.query(`SELECT swept_until FROM clock_sweep_state`)) as {
      swept_until: Date | null;
    }[];
    const before = new Date(Math.max(Date.now(), state.swept_until?.getTime() ?? 0) + 10_000);
    await h.watcher.sweep(before);
    const at = new Date(before.getTime() + 10_000);
    // 12 000 appeals registered at once (an import), due in 50 days: the triggers queue every one.
    await insertAppeals(h.ds, 'import', 12_000, at, { answer: `$1::timestamptz + interval '50 days'` });
    const swept = await h.watcher.sweep(at);
    expect(swept.marks).toBe(0);
    const [queue] = (await h.ds.query(
      `SELECT pg_relation_size('clock_sweep_queue')::int AS bytes, reltuples::int AS rows
         FROM pg_class WHERE relname = 'clock_sweep_queue'`,
    )) as { bytes: number; rows: number }[];
    expect(queue).toEqual({ bytes: 0, rows: 0 });
  });

  it('lists violations by scope, kind and period, and notifications per user', async () => {
    const all = await h.watcher.violations({ organisationIds: null, limit: 1000 });
    const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM clock_marks WHERE kind = 'overdue'`);
    expect(all).toHaveLength(n);
    expect(all.every((v) => v.kind === 'overdue')).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < all.length; i++) expect(all[i - 1].dueAt >= all[i].dueAt).toBe(true);

    const ministry = await h.watcher.violations({ organisationIds: [minzhkh, sub], limit: 100 });
    expect(new Set(ministry.map((v) => v.organisationId))).toEqual(new Set([minzhkh, sub]));
    expect(ministry[0]).toMatchObject({ registrationNumber: expect.stringMatching(/^\d{4}-\d{6}$/) });
    expect(
      // The region's own office holds no clock in these tests.
      await h.watcher.violations({ organisationIds: [await orgId(h.ds, 'region')], limit: 100 }),
    ).toEqual([]);
    expect(await h.watcher.violations({ organisationIds: [], limit: 100 })).toEqual([]);

    const june = await h.watcher.violations({
      organisationIds: null,
      clock: ClockName.Line2Answer,
      from: new Date('2026-06-01T00:00:00Z'),
      to: new Date('2026-06-19T00:00:00Z'),
      limit: 100,
    });
    expect(june.map((v) => v.dueAt.toISOString())).toEqual(['2026-06-15T09:00:00.000Z']);
    const atRisk = await h.watcher.violations({ organisationIds: [sub], kind: 'at-risk', limit: 1 });
    expect(atRisk).toHaveLength(1);
    expect(atRisk[0]).toMatchObject({ kind: 'at-risk', organisationId: sub, holderUserId: users.clerkGzhi });

    const unread = await h.watcher.notificationsFor(users.supMinzhkh, { unreadOnly: true });
    expect(unread.length).toBeGreaterThanOrEqual(3);
    const target = unread[0];
    expect(await h.watcher.markNotificationRead(users.supMintrans, target.id)).toBe(false);
    expect(await h.watcher.markNotificationRead(users.supMinzhkh, 'not-an-id')).toBe(false);
    expect(await h.watcher.markNotificationRead(users.supMinzhkh, target.id)).toBe(true);
    const stillUnread = await h.watcher.notificationsFor(users.supMinzhkh, { unreadOnly: true });
    expect(stillUnread.map((x) => x.id)).not.toContain(target.id);
    expect(stillUnread).toHaveLength(unread.length - 1);
    const everything = await h.watcher.notificationsFor(users.supMinzhkh);
    expect(everything.find((x) => x.id === target.id)?.readAt).toBeInstanceOf(Date);
    // A clerk is told of the terms they hold, or their organisation holds with no one holding them: at risk and
    // overdue (it was told of the risk alone).
    const clerks = await h.watcher.notificationsFor(users.clerkMinzhkh);
    expect(new Set(clerks.map((x) => x.kind))).toEqual(new Set(['clock-at-risk', 'clock-overdue']));
  });
});

describe('two workers and two in-process sweeps at once (integration)', () => {
  let h: Harness;
  const workers: ChildProcess[] = [];
  const workerLog: string[] = [];
  const supervisors: Record<string, string> = {};

  beforeAll(async () => {
    if (!existsSync(WORKER))
      throw new Error(`${WORKER} is missing: run "npm run build" first (npm test does)`);
    h = await harness({ CLOCK_WATCH_MS: '1000' });
    supervisors.region = await createUser(h.ds, 'sup-region', 'supervisor', 'region');
    supervisors.minzhkh = await createUser(h.ds, 'sup-minzhkh', 'supervisor', 'minzhkh');
    supervisors.mintrans = await createUser(h.ds, 'sup-mintrans', 'supervisor', 'mintrans');
  });

  afterAll(async () => {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            const kill = setTimeout(() => w.kill('SIGKILL'), 5000);
            w.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            w.kill('SIGTERM');
          }),
      ),
    );
    const producer = h?.ctx.get(JobProducer);
    for (const name of Object.values(QueueName)) {
      await producer
        ?.queue(name)
        .obliterate({ force: true })
        .catch(() => undefined);
    }
    await h?.close();
  });

  function startWorker(): void {
    const child = spawn(process.execPath, [WORKER], {
      env: { ...process.env, ...h.env, CLOCK_WATCH_MS: '1000', LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      workerLog.push(...lines.filter((l) => l.includes('"context":"clocks"')));
    });
    workers.push(child);
  }

  /** Places one appeal's clocks relative to now: answer, line 2 and escalation, some at risk, some late. */
  async function placeClocks(appealId: string, i: number): Promise<void> {
    const now = Date.now();
    const late = i % 2 === 0;
    await h.ds.query(
      `UPDATE appeals SET answer_due_at = $2, escalation_due_at = $3, line = 1, status = 'in_work' WHERE id = $1`,
      [appealId, new Date(now + (late ? -HOUR : HOUR)), new Date(now + (late ? -MINUTE : 4 * MINUTE))],
    );
    await h.ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, line, state, due_at)
       VALUES ($1, (SELECT id FROM organisations WHERE code = $2), 2, 'active', $3)
       ON CONFLICT (appeal_id, organisation_id) DO UPDATE SET line = 2, state = 'active', due_at = $3`,
      [appealId, i % 3 === 0 ? 'mintrans' : 'minzhkh', new Date(now + (late ? -10 * MINUTE : 30 * MINUTE))],
    );
  }

  it('records every mark once and notifies each supervisor once per mark', async () => {
    const appeals: string[] = [];
    for (let i = 0; i < 24; i++) {
      appeals.push((await registerAppeal(h, { addressee: i % 2 === 0 ? 'minzhkh' : 'cur' })).id);
    }
    for (let i = 0; i < 8; i++) await placeClocks(appeals[i], i);

    startWorker();
    startWorker();
    // While the workers start and tick every second, sweep twice at once from here too, clock after clock.
    const results = [];
    for (let i = 8; i < 20; i++) {
      await placeClocks(appeals[i], i);
      results.push(...(await Promise.all([h.watcher.sweep(), h.watcher.sweep()])));
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(results.reduce((sum, r) => sum + r.marks, 0)).toBeGreaterThan(0);

    // The last clocks are left to the workers alone: seeing them marked proves the workers sweep.
    for (let i = 20; i < 24; i++) await placeClocks(appeals[i], i);
    await eventually(
      async () => {
        const [{ n }] = await h.ds.query(
          `SELECT count(*)::int AS n FROM clock_marks WHERE appeal_id = ANY($1)`,
          [appeals.slice(20)],
        );
        return n === 4 * 3 ? true : undefined;
      },
      60_000,
      200,
    );
    // A few more ticks on both workers, racing one more pair of sweeps from here.
    await Promise.all([h.watcher.sweep(), h.watcher.sweep(), new Promise((r) => setTimeout(r, 3000))]);

    // Exactly one mark per (appeal, clock), of the expected kind: late clocks overdue, others at risk.
    const marks = (await h.ds.query(
      `SELECT appeal_id, organisation_id, clock, kind, count(*)::int AS n FROM clock_marks
        GROUP BY appeal_id, organisation_id, clock, kind ORDER BY appeal_id, clock`,
    )) as { appeal_id: string; organisation_id: string; clock: string; kind: string; n: number }[];
    const expected = appeals.flatMap((id, i) =>
      ['answer', 'escalation', 'line2-answer'].map(
        (clock) => `${id}|${clock}|${i % 2 === 0 ? 'overdue' : 'at-risk'}|1`,
      ),
    );
    expect(marks.map((m) => `${m.appeal_id}|${m.clock}|${m.kind}|${m.n}`).sort()).toEqual(expected.sort());

    // One notification per mark for each supervisor of the holding organisation itself, none for others.
    const [mintrans, minzhkh] = [await orgId(h.ds, 'mintrans'), await orgId(h.ds, 'minzhkh')];
    const wanted = marks.flatMap((m) => {
      const who: string[] = [];
      if (m.organisation_id === minzhkh) who.push(supervisors.minzhkh);
      if (m.organisation_id === mintrans) who.push(supervisors.mintrans);
      return who.map((u) => `${u}|${m.appeal_id}|${m.clock}|clock-${m.kind}`);
    });
    const notes = (await h.ds.query(
      `SELECT n.user_id, n.appeal_id, n.kind, n.text FROM notifications n WHERE n.digest_day IS NULL`,
    )) as { user_id: string; appeal_id: string; kind: string; text: string }[];
    const clockOf = (text: string) =>
      text.includes('2-й линии') ? 'line2-answer' : text.includes('передачи') ? 'escalation' : 'answer';
    expect(notes.map((n) => `${n.user_id}|${n.appeal_id}|${clockOf(n.text)}|${n.kind}`).sort()).toEqual(
      wanted.sort(),
    );
    // The region's supervisor: each organisation's marks counted, each appeal once in its notice of the kind and
    // day, however many sweeps raced — not a row per appeal.
    const digests = (await h.ds.query(
      `SELECT user_id, organisation_id, kind, digest_day::text AS day, appeal_ids FROM notifications
        WHERE digest_day IS NOT NULL`,
    )) as { user_id: string; organisation_id: string; kind: string; day: string; appeal_ids: string[] }[];
    expect(new Set(digests.map((d) => d.user_id))).toEqual(new Set([supervisors.region]));
    for (const d of digests) expect(new Set(d.appeal_ids).size).toBe(d.appeal_ids.length);
    const counted = (pairs: [string, string][]) => {
      const out = new Map<string, Set<string>>();
      for (const [key, id] of pairs) out.set(key, (out.get(key) ?? new Set()).add(id));
      return out;
    };
    expect(
      counted(
        digests.flatMap((d) =>
          d.appeal_ids.map((id): [string, string] => [`${d.organisation_id}|${d.kind}`, id]),
        ),
      ),
    ).toEqual(
      counted(marks.map((m): [string, string] => [`${m.organisation_id}|clock-${m.kind}`, m.appeal_id])),
    );

    const [events] = await h.ds.query(
      `SELECT count(*)::int AS n FROM appeal_events WHERE type IN ('clock-at-risk', 'clock-overdue')`,
    );
    expect(events.n).toBe(marks.length);

    // Both workers registered the repeatable job: still one schedule.
    const repeatable = await h.ctx.get(JobProducer).queue(QueueName.Deadlines).getRepeatableJobs();
    expect(repeatable.filter((r) => r.name === JobName.WatchClocks).map((r) => Number(r.every))).toEqual([
      1000,
    ]);
    expect(workerLog.length).toBeGreaterThanOrEqual(3);
    expect(workers.every((w) => w.exitCode === null)).toBe(true);
  });
});

describe('a sweep over 20k open appeals (integration)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness();
    await createUser(h.ds, 'sup-region', 'supervisor', 'region');
    await createUser(h.ds, 'sup-minzhkh', 'supervisor', 'minzhkh');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('is set-based: a few statements over 20k appeals, and a quiet sweep finds nothing new', async () => {
    const now = new Date();
    // Answer due times spread over -10..+50 days; every 5th appeal at line 2, every 7th with an escalation clock.
    await insertAppeals(h.ds, 'bulk', 20_000, now, {
      answer: `$1::timestamptz + ((g % 60) - 10) * interval '1 day' + interval '1 hour'`,
      escalation: `CASE WHEN g % 7 = 0 THEN $1::timestamptz - interval '1 minute' END`,
    });
    await h.ds.query(
      `INSERT INTO appeal_organisations (appeal_id, organisation_id, line, state, due_at)
       SELECT a.id, (SELECT id FROM organisations WHERE code = 'mintrans'), 2, 'active',
              -- -2..+2 days on the half hour: no clock crosses in the ten seconds the idle sweep looks at
              $1::timestamptz + ((split_part(a.external_id, '-', 2)::int % 96) - 48) * interval '1 hour'
                + interval '30 minutes'
         FROM appeals a WHERE split_part(a.external_id, '-', 2)::int % 5 = 0`,
      [now],
    );
    await h.ds.query(`ANALYZE`);
    const [want] = await h.ds.query(
      `SELECT (SELECT count(*) FROM appeals WHERE answer_due_at <= $1::timestamptz + interval '72 hours')::int AS answer,
              (SELECT count(*) FROM appeal_organisations
                WHERE line = 2 AND due_at <= $1::timestamptz + interval '120 minutes')::int AS line2,
              (SELECT count(*) FROM appeals WHERE escalation_due_at IS NOT NULL)::int AS escalation,
              (SELECT count(*) FROM appeals a WHERE answer_due_at <= $1::timestamptz + interval '72 hours'
                  AND EXISTS (SELECT 1 FROM appeal_organisations p WHERE p.appeal_id = a.id))::int
                AS "answerAtLine2"`,
      [now],
    );

    // Every statement the sweep's pool sends (TypeORM logs each before it goes out, logging on or off).
    const statements = jest.spyOn(h.ctx.get(DataSource).logger, 'logQuery');
    const first = await h.watcher.sweep(now);
    const firstStatements = statements.mock.calls.length;
    expect(first.marks).toBe(want.answer + want.line2 + want.escalation);
    expect(first.events).toBe(first.marks);
    // The ministry's supervisor for its own marks (answer and escalation clocks), appeal by appeal; the answer
    // clock of an appeal at line 2 is held at the line-2 organisation (mintrans, no supervisor of its own). The
    // region-wide supervisor: one counted notice per organisation and kind, however many marks.
    expect(first.notifications).toBe(want.answer - want.answerAtLine2 + want.escalation);
    const [{ kinds }] = await h.ds.query(
      `SELECT count(DISTINCT (organisation_id, kind))::int AS kinds FROM clock_marks`,
    );
    expect(first.digests).toBe(kinds);
    expect(kinds).toBeGreaterThanOrEqual(3);
    // One statement over every open clock, whatever their number, in a transaction of its own (8 statements in
    // all today): not a statement per appeal or per mark, 20,000 here. The time it takes is `bench scale`'s to
    // measure, not a test's (over 100k: 54 s at load 48 on a shared machine, 20 s idle).
    expect(firstStatements).toBeLessThanOrEqual(20);
    statements.mockClear();
    const quiet = await h.watcher.sweep(now);
    expect(quiet.marks).toBe(0);
    expect(statements.mock.calls.length).toBeLessThanOrEqual(20);
    // Ten seconds on: only what crossed in those seconds is read, by index, never the open appeals whole.
    const idle = await h.watcher.sweep(new Date(now.getTime() + 10_000));
    expect(idle.marks).toBe(0);
    // Nothing crossed and nothing queued: both stopped at the check, the marking statement not even planned.
    const sent = statements.mock.calls.map(([sql]) => String(sql));
    expect(sent.filter((sql) => sql === SWEEP_DUE_SQL)).toHaveLength(2);
    expect(sent.filter((sql) => sql.includes('INSERT INTO clock_marks'))).toEqual([]);
    statements.mockRestore();
    const check = (
      (await h.ds.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${SWEEP_DUE_SQL}`, [
        new Date(now.getTime() + 20_000),
        72 * 3600,
        120 * 60,
        5 * 60,
        new Date(now.getTime() + 10_000),
      ])) as { 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }[]
    )[0]['QUERY PLAN'][0].Plan;
    type PlanNode = {
      'Node Type': string;
      'Relation Name'?: string;
      'Index Name'?: string;
      'Index Cond'?: string;
      'Recheck Cond'?: string;
      Filter?: string;
      'Rows Removed by Filter'?: number;
      'Rows Removed by Index Recheck'?: number;
      'Shared Hit Blocks'?: number;
      'Shared Read Blocks'?: number;
      Plans?: PlanNode[];
    };
    const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];
    const read = nodes(check as unknown as PlanNode);
    expect(read.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])).toEqual([
      'clock_sweep_queue',
    ]);
    expect(new Set(read.map((n) => n['Index Name']).filter(Boolean))).toEqual(
      new Set(['appeals_open_due_idx', 'appeals_escalation_due_idx', 'appeal_organisations_line2_due_idx']),
    );
    // The ranges of ten seconds and the queue: a few pages, where the appeals alone are over a thousand.
    expect(Number(check['Shared Hit Blocks']) + Number(check['Shared Read Blocks'])).toBeLessThanOrEqual(30);
    const plan = (
      (await h.ds.query(`EXPLAIN ${sweepSql('since')}`, [
        new Date(now.getTime() + 20_000),
        72 * 3600,
        120 * 60,
        5 * 60,
        '{}',
        new Date(now.getTime() + 10_000),
      ])) as { 'QUERY PLAN': string }[]
    )
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).not.toMatch(/Seq Scan on (appeals|appeal_organisations)/);
    expect(plan).toContain('appeals_open_due_idx');
    expect(plan).toContain('appeals_escalation_due_idx');
    expect(plan).toContain('appeal_organisations_line2_due_idx');

    // A sweep that runs its marking statement reads the escalation clocks by due time up to now + lead (every open
    // one in a full sweep): the index holds only the appeals that part reads (line 1 holding them), so appeals
    // closed with an escalation term, however many years of them, add nothing to its reads.
    const escalationRead = async (reach: SweepReach) => {
      const runner = h.ds.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        // One queued appeal: a candidate, as a sweep that runs the statement has one.
        await runner.query(`INSERT INTO clock_sweep_queue (appeal_id) SELECT id FROM appeals LIMIT 1`);
        const at = [new Date(now.getTime() + 20_000), 72 * 3600, 120 * 60, 5 * 60, '{}'];
        const explained = (await runner.query(
          `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sweepSql(reach)}`,
          reach === 'all' ? at : [...at, new Date(now.getTime() + 10_000)],
        )) as { 'QUERY PLAN': [{ Plan: PlanNode }] }[];
        // The escalation part's reads of appeals: up to now + lead (the candidates' ranges have a lower bound too).
        const part = nodes(explained[0]['QUERY PLAN'][0].Plan).filter(
          (n) =>
            n['Relation Name'] === 'appeals' &&
            /escalation_due_at <=/.test(`${n['Index Cond']} ${n['Recheck Cond']} ${n.Filter}`) &&
            !/escalation_due_at >=/.test(`${n['Index Cond']} ${n['Recheck Cond']} ${n.Filter}`),
        );
        expect(part).not.toEqual([]);
        const sum = (key: keyof PlanNode) => part.reduce((total, n) => total + Number(n[key] ?? 0), 0);
        return {
          buffers: sum('Shared Hit Blocks') + sum('Shared Read Blocks'),
          removed: sum('Rows Removed by Filter') + sum('Rows Removed by Index Recheck'),
        };
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    };
    const before = { since: await escalationRead('since'), all: await escalationRead('all') };
    await insertAppeals(
      h.ds,
      'closed',
      5_000,
      now,
      {
        answer: `$1::timestamptz - interval '20 days'`,
        escalation: `$1::timestamptz - interval '30 days' + g * interval '1 minute'`,
      },
      'closed',
    );
    await h.ds.query(`TRUNCATE clock_sweep_queue`);
    await h.ds.query(`ANALYZE appeals`);
    const after = { since: await escalationRead('since'), all: await escalationRead('all') };
    process.stdout.write(
      `clock sweep over 20k appeals: first ${first.tookMs} ms (${firstStatements} statements), quiet ${quiet.tookMs} ms, idle ${idle.tookMs} ms; ` +
        `escalation part ${JSON.stringify(before)}, with 5k closed ${JSON.stringify(after)}\n`,
    );
    // None read to be dropped (on main a full sweep read the closed ones and dropped them by a filter), and no more
    // buffers than before them.
    expect(after.all.removed).toBe(0);
    expect(after.all.buffers).toBeLessThanOrEqual(before.all.buffers + 2);
    expect(after.since.buffers).toBeLessThanOrEqual(before.since.buffers + 2);
  });
});

describe('a worker whose clock is skewed (integration)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness();
  });

  afterAll(async () => {
    jest.useRealTimers();
    await h?.close();
  });

  it("marks by the database's clock, not by the worker's", async () => {
    const appeal = await registerAppeal(h);
    const [{ now }] = (await h.ds.query(`SELECT now() AS now`)) as { now: Date }[];
    // 80 h to go by the database: outside the 72 h at-risk lead.
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [
      appeal.id,
      new Date(now.getTime() + 80 * HOUR),
    ]);
    // This process's clock runs two days ahead (only Date is faked: timers and sockets run as they do).
    jest.useFakeTimers({
      now: now.getTime() + 48 * HOUR,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      // As the worker sweeps (ClocksWorker): no instant of its own.
      await h.watcher.sweep();
    } finally {
      jest.useRealTimers();
    }
    expect(await marksOf(h.ds, appeal.id)).toEqual([]);

    // Nine hours later by the database, the lead has begun: marked at risk once.
    await h.ds.query(`UPDATE appeals SET answer_due_at = answer_due_at - interval '9 hours' WHERE id = $1`, [
      appeal.id,
    ]);
    await h.watcher.sweep();
    expect((await marksOf(h.ds, appeal.id)).map((m) => m.kind)).toEqual(['at-risk']);
  });

  it("holds the sweep while the database's clock runs ahead past CLOCK_SKEW_MAX_MS, then marks", async () => {
    // The database server's clock jumped two days ahead of ours (a worker's clock two days behind reads the same):
    // by it the appeal is overdue, by the real time it is inside the at-risk lead only.
    const appeal = await registerAppeal(h);
    const [{ now }] = (await h.ds.query(`SELECT now() AS now`)) as { now: Date }[];
    await h.ds.query(`UPDATE appeals SET answer_due_at = $2 WHERE id = $1`, [
      appeal.id,
      new Date(now.getTime() + HOUR),
    ]);
    jest.useFakeTimers({
      now: now.getTime() - 48 * HOUR,
      doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setInterval', 'setTimeout', 'clearTimeout'],
    });
    let held: Awaited<ReturnType<ClockWatcher['sweep']>> | undefined;
    try {
      held = await h.watcher.sweep();
    } finally {
      jest.useRealTimers();
    }
    expect(held).toMatchObject({ held: true, marks: 0 });
    expect(held!.skewMs).toBeGreaterThan(47 * HOUR);
    expect(await marksOf(h.ds, appeal.id)).toEqual([]);
    // The clocks agree again: swept, from the watermark left before.
    expect((await h.watcher.sweep()).held).toBeUndefined();
    expect((await marksOf(h.ds, appeal.id)).map((m) => m.kind)).toEqual(['at-risk']);
  });
});
