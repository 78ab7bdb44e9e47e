import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { type INestApplication, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { Role, StaffUsers } from '@inbox/access';
import { ClocksModule, ClockWatcher } from '@inbox/clocks';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { generateDemoAppeals } from '@inbox/demo';
import { createApiApp } from '../apps/api/src/bootstrap';
import { createBenchDatabase } from './bench-database';
import { flag, printGrid, printTable, type TargetRow } from './report';

/**
 * `npm run bench -- scale N[,M…]` (issue 18): fills a throwaway database with N appeals (two years of a
 * region's history: mostly closed, the last weeks open, some overdue; applicants, inbound items and parts as
 * registration makes them), then measures what staff and operators wait for, through the real api over
 * HTTP: the inbox queues, Russian search, the supervisor dashboard, the handled report, /health, and the
 * clock sweep that finds nothing to mark. With several sizes it grows the same database and measures at
 * each, so that cost per appeal can be compared across sizes.
 */
export const SCALE_TARGETS = {
  queueP95Ms: 50,
  searchP95Ms: 50,
  dashboardMs: 300,
  dashboardBytes: 100_000,
  healthMs: 20,
  idleSweepMs: 50,
};

/** The sweep runs in the worker, not the api: its own context, as the worker builds it. */
@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), ClocksModule] })
class SweepModule {}

const FILL_CHUNK = 25_000;
const CHANNELS = ['website', 'pos', 'email', 'telegram', 'vk', 'ok', 'operator', 'medo'];
const OPEN = ['registered', 'in_work', 'escalated', 'returned', 'extended', 'reopened'];

/** Where appeal g falls in the two years (a low-discrepancy sequence: any first N cover them evenly). */
const SPREAD = '((g * 0.6180339887498949) - floor(g * 0.6180339887498949))';

/** Appends appeals g = from … to-1 in one transaction per chunk, as registration would have made them. */
async function fill(
  client: Client,
  from: number,
  to: number,
  texts: string[],
): Promise<Record<string, number>> {
  // Each step's seconds, so a slow fill says where its time goes.
  const took: Record<string, number> = {};
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const started = performance.now();
    await client.query(sql, params);
    took[name] = Math.round((performance.now() - started) / 100) / 10;
  };
  await client.query('BEGIN');
  await step(
    'applicants',
    `INSERT INTO applicants (id, channel, external_id, surname, first_name, phone, email)
     SELECT md5('applicant' || g)::uuid, 'website', 'scale-applicant-' || g,
            (ARRAY['Иванов','Петрова','Сидоров','Кузнецова','Смирнов','Попова','Волков','Лебедева'])[1 + g % 8],
            (ARRAY['Иван','Мария','Пётр','Анна'])[1 + g % 4], '+7913' || lpad((g % 10000000)::text, 7, '0'),
            'citizen' || g || '@mail.example'
       FROM generate_series($1::int, $2::int - 1) g WHERE g % 2 = 0`,
    [from, to],
  );
  await step(
    'inbound items',
    `INSERT INTO inbound_items (id, channel, external_id, received_at, payload, status, appeal_id, created_at, processed_at)
     SELECT md5('item' || g)::uuid, ($3::text[])[1 + g % 8], 'scale-' || g, r.at, '{"text": ""}'::jsonb,
            'processed', NULL, r.at, r.at
       FROM generate_series($1::int, $2::int - 1) g
       CROSS JOIN LATERAL (SELECT now() - interval '730 days' * ${SPREAD} AS at) r`,
    [from, to, CHANNELS],
  );
  await step(
    'appeals',
    `WITH orgs AS (SELECT array_agg(id ORDER BY code) AS ids FROM organisations WHERE kind <> 'region'),
          tops AS (SELECT array_agg(id ORDER BY code) AS ids FROM topics WHERE parent_id IS NULL)
     INSERT INTO appeals (id, registration_number, registered_at, received_at, regime, channel, external_id,
            inbound_item_id, applicant_id, subject, text, address, territory_code, topic_id, fast_track, status,
            organisation_id, time_zone, registration_due_at, redirect_due_at, answer_due_date, answer_due_at,
            calendar_version, access_code_hash, created_at, updated_at, answered_at, closed_at,
            classification_state, classified_at, part_organisation_ids)
     SELECT md5('appeal' || g)::uuid, 'S-' || lpad(g::text, 9, '0'), r.at, r.at, 'appeal', ($4::text[])[1 + g % 8],
            'scale-' || g, md5('item' || g)::uuid, md5('applicant' || (g - g % 2))::uuid, NULL,
            ($3::text[])[1 + g % cardinality($3::text[])], 'г. Новосибирск, ул. Ленина, ' || (1 + g % 300),
            NULL, tops.ids[1 + g % cardinality(tops.ids)], g % 12 = 0, s.status,
            orgs.ids[1 + (g * 7) % cardinality(orgs.ids)], 'Asia/Novosibirsk', r.at + interval '3 days',
            r.at + interval '7 days', (r.at + d.term)::date, r.at + d.term, 'ru-bench', 'x', r.at, r.at,
            CASE WHEN s.status IN ('answered', 'closed') THEN r.at + interval '20 days' END,
            CASE WHEN s.status = 'closed' THEN r.at + interval '25 days' END, 'auto', r.at,
            ARRAY[orgs.ids[1 + (g * 7) % cardinality(orgs.ids)]]
       FROM generate_series($1::int, $2::int - 1) g
       CROSS JOIN orgs CROSS JOIN tops
       CROSS JOIN LATERAL (SELECT now() - interval '730 days' * ${SPREAD} AS at) r
       CROSS JOIN LATERAL (SELECT CASE WHEN g % 12 = 0 THEN interval '10 days' ELSE interval '30 days' END AS term) d
       CROSS JOIN LATERAL (
         SELECT CASE
                  WHEN r.at < now() - interval '45 days' THEN CASE WHEN g % 10 = 0 THEN 'answered' ELSE 'closed' END
                  WHEN g % 3 = 0 THEN 'answered'
                  ELSE ($5::text[])[1 + g % 6]
                END AS status) s`,
    [from, to, texts, CHANNELS, OPEN],
  );
  // By primary key: a scan of every `scale-%` item made each chunk slower than the last, and so did a join
  // with the series (hashed the whole table: 5 → 15 s a chunk from 0.2 to 1.2 M); `= ANY` of an array is one
  // index scan.
  await step(
    'items → appeals',
    `UPDATE inbound_items SET appeal_id = md5('appeal' || substr(external_id, 7))::uuid
      WHERE id = ANY (ARRAY(SELECT md5('item' || g)::uuid FROM generate_series($1::int, $2::int - 1) g))`,
    [from, to],
  );
  await step(
    'parts',
    `INSERT INTO appeal_organisations (appeal_id, organisation_id, role, assigned_at, line, state)
     SELECT a.id, a.organisation_id, 'responsible', a.registered_at, 1,
            CASE WHEN a.status IN ('answered', 'closed') THEN 'answered' ELSE 'active' END
       FROM appeals a WHERE a.id IN (SELECT md5('appeal' || g)::uuid FROM generate_series($1::int, $2::int - 1) g)`,
    [from, to],
  );
  await step('commit', 'COMMIT');
  return took;
}

/** A clerk's own appeals («Мои») in the search cases. */
const MINE_SIZE = 2_000;

/**
 * Words of the filled texts (the demo generator's 400): in about a third of the appeals and more, and in one
 * text of the 400 (a quarter of a percent). Each run takes the next word, so the cases do not time one cached
 * page.
 */
const FREQUENT_WORDS = ['прошу', 'дом', 'просьба', 'школа', 'помощь'];
const RARE_WORDS = ['домофон', 'грузовик', 'губернатор', 'водоснабжение', 'интервал'];

/** Each search case on its own: who asks, with which filter, a frequent word or a rare one. */
const SEARCH_CASES: [
  key: string,
  figure: string,
  who: 'operator' | 'clerk',
  query: string,
  words: string[],
][] = [
  ['searchFrequent', 'search, frequent word (operator, region-wide)', 'operator', '', FREQUENT_WORDS],
  ['searchRare', 'search, rare word (operator, region-wide)', 'operator', '', RARE_WORDS],
  ['searchClerkFrequent', 'search, frequent word (clerk, own scope)', 'clerk', '', FREQUENT_WORDS],
  ['searchClerkRare', 'search, rare word (clerk, own scope)', 'clerk', '', RARE_WORDS],
  [
    'searchDueFrequent',
    'search by due date, frequent word (operator)',
    'operator',
    '&sort=due',
    FREQUENT_WORDS,
  ],
  ['searchDueRare', 'search by due date, rare word (operator)', 'operator', '&sort=due', RARE_WORDS],
  ['searchClerkDueRare', 'search by due date, rare word (clerk)', 'clerk', '&sort=due', RARE_WORDS],
  ['searchMineFrequent', 'search «Мои», frequent word (clerk)', 'clerk', '&assigneeId=me', FREQUENT_WORDS],
  ['searchMineRare', 'search «Мои», rare word (clerk)', 'clerk', '&assigneeId=me', RARE_WORDS],
  [
    'searchStatusFrequent',
    'search in work, frequent word (operator)',
    'operator',
    '&status=in_work',
    FREQUENT_WORDS,
  ],
  ['searchStatusRare', 'search in work, rare word (operator)', 'operator', '&status=in_work', RARE_WORDS],
];

/** Times each search case (all of them skipped when `cases` is empty). */
async function searchCases(
  cases: typeof SEARCH_CASES,
  runs: number,
  get: (path: string, who: 'operator' | 'clerk') => Promise<number>,
): Promise<Record<string, Timing>> {
  const m: Record<string, Timing> = {};
  for (const [key] of SEARCH_CASES) m[key] = { p50: NaN, p95: NaN, bytes: 0 };
  for (const [key, , who, query, words] of cases) {
    m[key] = await timed(runs, (i) =>
      get(`/api/v1/appeals?limit=50${query}&q=${encodeURIComponent(words[i % words.length])}`, who),
    );
  }
  return m;
}

interface Timing {
  p50: number;
  p95: number;
  bytes: number;
}

/** Chunks filled side by side, each in its own transaction on its own connection (every core inserts). */
const FILL_CONNECTIONS = 2;

/**
 * Fills appeals from … to-1 in chunks of FILL_CHUNK over `connections` sessions at once, printing each chunk's
 * rate and where its time went.
 */
export async function fillAppeals(
  url: string,
  from: number,
  to: number,
  texts: string[],
  connections = FILL_CONNECTIONS,
): Promise<void> {
  // A run stopped mid-fill leaves up to `connections` - 1 chunks below its last committed one unfilled (each
  // chunk commits whole), so the count `from` came from can hide a gap: the chunks just below it are tried
  // too, and any chunk whose first appeal is there is skipped.
  const candidates: [number, number][] = [];
  const below = Math.floor(from / FILL_CHUNK) * FILL_CHUNK;
  for (let g = Math.max(0, below - connections * FILL_CHUNK); g < below; g += FILL_CHUNK)
    candidates.push([g, g + FILL_CHUNK]);
  for (let g = from; g < to; g += FILL_CHUNK) candidates.push([g, Math.min(to, g + FILL_CHUNK)]);
  const probe = new Client({ connectionString: url });
  await probe.connect();
  const present = new Set(
    (
      await probe
        .query<{ g: number }>(
          `SELECT g FROM unnest($1::int[]) g
            WHERE EXISTS (SELECT 1 FROM appeals WHERE registration_number = 'S-' || lpad(g::text, 9, '0'))`,
          [candidates.map(([g]) => g)],
        )
        .finally(() => probe.end())
    ).rows.map((r) => r.g),
  );
  const chunks = candidates.filter(([g]) => !present.has(g));
  let done = from;
  const session = async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      // The fill's own sessions only: a chunk need not wait for the WAL flush (the api's sessions are as usual).
      await client.query('SET synchronous_commit = off');
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
        const started = Date.now();
        const took = await fill(client, chunk[0], chunk[1], texts);
        done += chunk[1] - chunk[0];
        const rate = Math.round((chunk[1] - chunk[0]) / ((Date.now() - started) / 1000));
        const steps = Object.entries(took).map(([name, seconds]) => `${name} ${seconds} s`);
        process.stderr.write(`  filled ${done}/${to} (this chunk ${rate} appeals/s: ${steps.join(', ')})\n`);
      }
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(connections, chunks.length)) }, session));
}

/** The tables a fill appends to; their indexes that back no constraint are what `--bulk-fill` sets aside. */
const FILLED_TABLES = ['appeals', 'applicants', 'inbound_items', 'appeal_organisations'];

/**
 * `--bulk-fill` (the bench's own throwaway database only): a fill that adds more appeals than the table holds
 * drops the filled tables' secondary indexes first and builds them again after — on a shared 2-core machine a
 * kept 200 000 grew at 440–2 600 appeals/s with every chunk updating 20-odd indexes (two of them GIN over the
 * texts), too slow for 10 M in an afternoon. Only indexes (and one trigger that writes nothing, below) go: the primary and unique keys stay, and so do the
 * triggers, so the counts, the scope counts, the clock sweep's queue and the search vectors are what the
 * product makes. The definitions wait in `bench_set_aside_indexes` until built again, so a run that dies
 * midway leaves them for the next run to build. A freshly built index is denser than one grown row by row
 * (what a running region has): the README says so beside figures measured after such a fill.
 */
async function setIndexesAside(client: Client): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS bench_set_aside_indexes (name text PRIMARY KEY, def text NOT NULL)`,
  );
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [FILLED_TABLES],
  );
  for (const { name, def } of rows) {
    await client.query('BEGIN');
    await client.query(`INSERT INTO bench_set_aside_indexes (name, def) VALUES ($1, $2)`, [name, def]);
    await client.query(`DROP INDEX ${name}`);
    await client.query('COMMIT');
  }
  // The fill writes each appeal's part_organisation_ids with its one part, so the parts' row trigger that
  // appends the part's organisation finds it there and writes nothing — yet cost a third of a chunk (a plpgsql
  // call and a key lookup per part). It is switched off for the fill and on again with the indexes.
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO bench_set_aside_indexes (name, def) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
    [
      'appeal_organisations_part_ids_insert (trigger)',
      'ALTER TABLE appeal_organisations ENABLE TRIGGER appeal_organisations_part_ids_insert',
    ],
  );
  await client.query('ALTER TABLE appeal_organisations DISABLE TRIGGER appeal_organisations_part_ids_insert');
  // The foreign-key checks of the rows the fill writes: each new appeal's applicant, item, organisation and
  // topic, each part's appeal and organisation, looked up and locked FOR KEY SHARE row by row — five sessions
  // locking the same dozen organisations' and topics' rows build multixacts on them. The fill takes every
  // reference from rows it has just written or from the directory, so no check can fail; they are switched
  // off for the fill only (never in the product) and on again with the indexes.
  const checks = await client.query<{ tbl: string; name: string }>(
    `SELECT t.tgrelid::regclass::text AS tbl, t.tgname AS name FROM pg_trigger t
      WHERE t.tgrelid = ANY($1::regclass[]) AND t.tgisinternal
        AND t.tgfoid IN ('"RI_FKey_check_ins"'::regproc, '"RI_FKey_check_upd"'::regproc)`,
    [FILLED_TABLES],
  );
  for (const { tbl, name } of checks.rows) {
    await client.query(
      `INSERT INTO bench_set_aside_indexes (name, def) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
      [`${name} (foreign-key check)`, `ALTER TABLE ${tbl} ENABLE TRIGGER "${name}"`],
    );
    await client.query(`ALTER TABLE ${tbl} DISABLE TRIGGER "${name}"`);
  }
  await client.query('COMMIT');
  process.stderr.write(
    `  bulk fill: ${rows.length} secondary indexes and the parts' no-op organisation trigger set aside\n`,
  );
}

/** Builds whatever `setIndexesAside` left (over `connections` sessions), each index once and as it was. */
async function buildSetAsideIndexes(url: string, connections: number): Promise<void> {
  const probe = new Client({ connectionString: url });
  await probe.connect();
  let pending: { name: string; def: string }[] = [];
  try {
    const exists = await probe.query(`SELECT to_regclass('bench_set_aside_indexes') IS NOT NULL AS e`);
    if (!(exists.rows[0] as { e: boolean }).e) return;
    // The GIN ones first: they take longest, so the sessions finish together.
    pending = (
      await probe.query<{ name: string; def: string }>(
        `SELECT name, def FROM bench_set_aside_indexes ORDER BY (def LIKE '% USING gin %') DESC, name`,
      )
    ).rows;
  } finally {
    await probe.end();
  }
  const started = Date.now();
  const session = async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`SET maintenance_work_mem = '1GB'`);
      for (let next = pending.shift(); next; next = pending.shift()) {
        const at = Date.now();
        await client.query('BEGIN');
        await client.query(next.def);
        await client.query(`DELETE FROM bench_set_aside_indexes WHERE name = $1`, [next.name]);
        await client.query('COMMIT');
        process.stderr.write(`  built ${next.name} in ${Math.round((Date.now() - at) / 100) / 10} s\n`);
      }
    } finally {
      await client.end();
    }
  };
  // The triggers after every index, in one session: switching one on locks its table against index builds
  // (10 M: four sessions waited on one GIN build, their indexes not started).
  const triggers = pending.filter(({ def }) => def.startsWith('ALTER TABLE'));
  pending = pending.filter(({ def }) => !def.startsWith('ALTER TABLE'));
  await Promise.all(Array.from({ length: Math.max(1, connections) }, session));
  pending = triggers;
  await session();
  const done = new Client({ connectionString: url });
  await done.connect();
  try {
    await done.query(`DROP TABLE IF EXISTS bench_set_aside_indexes`);
  } finally {
    await done.end();
  }
  process.stderr.write(
    `  bulk fill: indexes built again in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
}

interface SizeResult {
  size: number;
  m: Record<string, Timing>;
  fillRate?: number;
  firstSweepMs: number;
}

const FIGURES: [string, string][] = [
  ['dueSort', 'inbox, due sort (operator)'],
  ['dueSortPage2', 'inbox, next page by cursor'],
  ['overdueOperator', 'overdue queue (operator)'],
  ['overdueClerk', 'overdue queue (clerk)'],
  ['clerkInbox', 'clerk inbox, own organisation'],
  ['manualQueue', 'manual classification queue'],
  ...SEARCH_CASES.map(([key, figure]): [string, string] => [key, figure]),
  ['dashboard', 'supervisor dashboard'],
  ['dashboardClerk', 'dashboard, own organisation (clerk)'],
  ['handled', 'handled report, last 30 days'],
  ['health', '/health'],
  ['idleSweep', 'clock sweep, nothing to mark'],
];

/**
 * Every figure at every size side by side, and how much its p95 grew against how much the table grew: flat
 * cost per appeal is a growth near 1× whatever the size ratio (a figure that scans grows with it).
 */
function printAcrossSizes(results: SizeResult[]): void {
  const first = results[0];
  const last = results[results.length - 1];
  const sizeGrowth = `${Number((last.size / first.size).toFixed(1))}×`;
  const rows = FIGURES.filter(([key]) => results.some((r) => !Number.isNaN(r.m[key].p95))).map(
    ([key, figure]) => [
      figure,
      ...results.map((r) => {
        const t = r.m[key];
        const kb = key.startsWith('dashboard') ? `, ${Math.round(t.bytes / 1000)} KB` : '';
        return `${t.p50} / ${t.p95} ms${kb}`;
      }),
      `${(last.m[key].p95 / first.m[key].p95).toFixed(1)}×`,
    ],
  );
  rows.push([
    'first clock sweep after the fill',
    ...results.map((r) => `${r.firstSweepMs} ms`),
    `${(last.firstSweepMs / Math.max(1, first.firstSweepMs)).toFixed(1)}×`,
  ]);
  rows.push([
    'fill rate (appeals/s)',
    ...results.map((r) => (r.fillRate ? String(r.fillRate) : 'kept')),
    '—',
  ]);
  printGrid(
    `scale · every size, p50 / p95 · last column: p95 at ${last.size} against ${first.size} (the table grew ${sizeGrowth})`,
    ['figure', ...results.map((r) => `${r.size} appeals`), 'p95 growth'],
    rows,
  );
}

async function timed(runs: number, call: (i: number) => Promise<number>): Promise<Timing> {
  for (let i = 0; i < 3; i++) await call(i);
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    bytes = await call(i);
    ms.push(performance.now() - started);
  }
  ms.sort((x, y) => x - y);
  const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), bytes };
}

async function signIn(app: INestApplication, base: string, role: Role, organisationId: string) {
  const login = `bench-${role}-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = await app
    .get(StaffUsers)
    .create({ login, password, fullName: `Замер ${role}`, role, organisationId });
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}`, userId: user.id };
}

async function getBytes(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { headers });
  const body = await res.arrayBuffer();
  if (res.status !== 200)
    throw new Error(`${url}: ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`);
  return body.byteLength;
}

async function nextCursor(base: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(`${base}/api/v1/appeals?sort=due&limit=50`, { headers });
  const { nextCursor } = (await res.json()) as { nextCursor: string | null };
  if (!nextCursor) throw new Error('the due-sorted inbox has a single page');
  return nextCursor;
}

export async function benchScale(args: string[]): Promise<void> {
  const sizes = (flag(args, '--scale') ?? args.find((a) => /^\d[\d,]*$/.test(a)) ?? '100000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0)
    .sort((a, b) => a - b);
  const runs = Number(flag(args, '--runs') ?? 30);
  // --keep: leave the filled database for the next run, which grows it or measures it again as it is
  // (after pending migrations): a fill of 200 000 takes minutes on a shared machine.
  const keep = args.includes('--keep');
  // --db NAME: a kept database of one's own, so that two people measuring different changes do not share one.
  const dbName = flag(args, '--db') ?? 'inbox_bench_scale';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(dbName))
    throw new Error(`--db ${dbName}: lower-case letters, digits, _`);
  const db = await createBenchDatabase(dbName, { reuse: keep });
  const client = new Client({ connectionString: db.url });
  await client.connect();
  const fillConnections = Number(flag(args, '--fill-connections') ?? FILL_CONNECTIONS);
  const bulk = args.includes('--bulk-fill');
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'error',
    HTTP_HOST: '127.0.0.1',
  });
  const texts = generateDemoAppeals({ count: 400, seed: 11, now: new Date() }).map((d) => d.text);
  let app: INestApplication | undefined;
  let sweeper: INestApplicationContext | undefined;
  try {
    let filled = db.reused
      ? (
          (await client.query(`SELECT count(*)::int AS n FROM appeals WHERE external_id LIKE 'scale-%'`))
            .rows[0] as { n: number }
        ).n
      : 0;
    if (db.reused) process.stderr.write(`  reusing the kept database: ${filled} appeals\n`);
    // A run that died in a bulk fill left its indexes set aside: build them before anything reads the table
    // (a bulk fill builds them after its fill).
    if (!bulk) await buildSetAsideIndexes(db.url, fillConnections);
    const results: SizeResult[] = [];
    for (const size of sizes) {
      const started = Date.now();
      const added = Math.max(0, size - filled);
      if (bulk && added > filled) {
        await setIndexesAside(client);
        try {
          await fillAppeals(db.url, filled, size, texts, fillConnections);
        } finally {
          await buildSetAsideIndexes(db.url, fillConnections);
        }
      } else {
        await buildSetAsideIndexes(db.url, fillConnections);
        await fillAppeals(db.url, filled, size, texts, fillConnections);
      }
      filled = Math.max(filled, size);
      await client.query('VACUUM ANALYZE');
      const fillSeconds = Math.round((Date.now() - started) / 100) / 10;
      const fillRate = added > 0 ? Math.round(added / fillSeconds) : undefined;
      if (fillRate) {
        const minutes = (k: number) => Math.round(k / fillRate / 6) / 10;
        process.stderr.write(
          `  fill: ${added} appeals in ${fillSeconds} s with VACUUM ANALYZE = ${fillRate} appeals/s ` +
            `(at this rate 1 M takes ≈ ${minutes(1e6)} min, 10 M ≈ ${minutes(1e7)} min)\n`,
        );
      }
      if (!app) {
        app = await createApiApp();
        await app.listen(0, '127.0.0.1');
      }
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      const [{ region, busiest }] = (
        await client.query(
          `SELECT (SELECT id FROM organisations WHERE kind = 'region' ORDER BY code LIMIT 1) AS region,
                  (SELECT organisation_id FROM appeals GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) AS busiest`,
        )
      ).rows as { region: string; busiest: string }[];
      const { userId: _o, ...operator } = await signIn(app, base, Role.Operator, region);
      const { userId: _s, ...supervisor } = await signIn(app, base, Role.Supervisor, region);
      const { userId: clerkId, ...clerk } = await signIn(app, base, Role.Clerk, busiest);
      // «Мои»: the clerk gets a working set of its organisation's appeals (a fresh clerk each run, so this run's).
      await client.query(
        `UPDATE appeals SET assignee_id = $1 WHERE id IN (SELECT id FROM appeals
           WHERE organisation_id = $2 AND registered_at > now() - interval '365 days' ORDER BY id LIMIT $3)`,
        [clerkId, busiest, MINE_SIZE],
      );
      sweeper ??= await NestFactory.createApplicationContext(SweepModule, { logger: ['error'] });
      const watcher = sweeper.get(ClockWatcher);
      // The first sweep marks whatever is overdue or at risk in the filled history.
      const first = await watcher.sweep(new Date());
      // That sweep flags thousands of appeals at once, after the fill's ANALYZE, and «Мои» was just assigned: on
      // the old statistics the planner took the overdue flag for empty (first run after a 1 M fill: the
      // operator's overdue queue 104 ms, 4-8 ms once analysed), which is not what a running region sees.
      await client.query('ANALYZE appeals, clock_marks');
      const [{ open, overdue }] = (
        await client.query(
          `SELECT (SELECT count(*) FROM appeals WHERE status = ANY($1))::int AS open,
                  (SELECT count(*) FROM clock_marks WHERE kind = 'overdue')::int AS overdue`,
          [OPEN],
        )
      ).rows as { open: number; overdue: number }[];
      const api = (path: string, headers?: Record<string, string>) => () =>
        getBytes(`${base}${path}`, headers);
      // The server's autovacuum: off, nothing vacuums or analyses between runs on a kept database (dead versions of
      // each run's «Мои» updates and the ingest runs' appeals stay; their statistics wait for this ANALYZE).
      const [{ autovacuum }] = (await client.query('SHOW autovacuum')).rows as { autovacuum: string }[];
      const load = loadavg().map((l) => l.toFixed(1));
      process.stderr.write(`  measuring at ${size} appeals (load ${load.join(' ')})…\n`);
      // --only dueSort,health,…: time just those figures (the others print as skipped).
      const only = flag(args, '--only')?.split(',');
      const skipped: Timing = { p50: NaN, p95: NaN, bytes: 0 };
      const pick = async (name: string, measure: () => Promise<Timing>) =>
        !only || only.includes(name) ? measure() : skipped;
      const m: Record<string, Timing> = {
        dueSort: await pick('dueSort', () => timed(runs, api('/api/v1/appeals?sort=due&limit=50', operator))),
        dueSortPage2: await pick('dueSortPage2', async () => {
          const cursor = encodeURIComponent(await nextCursor(base, operator));
          return timed(runs, api(`/api/v1/appeals?sort=due&limit=50&cursor=${cursor}`, operator));
        }),
        overdueOperator: await pick('overdueOperator', () =>
          timed(runs, api('/api/v1/appeals?clock=overdue&sort=due&limit=50', operator)),
        ),
        overdueClerk: await pick('overdueClerk', () =>
          timed(runs, api('/api/v1/appeals?clock=overdue&sort=due&limit=50', clerk)),
        ),
        clerkInbox: await pick('clerkInbox', () => timed(runs, api('/api/v1/appeals?limit=50', clerk))),
        manualQueue: await pick('manualQueue', () =>
          timed(runs, api('/api/v1/appeals?classification=manual&limit=50', operator)),
        ),
        // --only search: every search case; --only searchClerkFrequent,…: just those.
        ...(await searchCases(
          SEARCH_CASES.filter(([key]) => !only || only.includes('search') || only.includes(key)),
          runs,
          (path, who) => getBytes(`${base}${path}`, { operator, clerk }[who]),
        )),
        dashboard: await pick('dashboard', () =>
          timed(Math.min(runs, 10), api('/api/v1/reports/dashboard', supervisor)),
        ),
        dashboardClerk: await pick('dashboardClerk', () =>
          timed(Math.min(runs, 10), api('/api/v1/reports/dashboard', clerk)),
        ),
        handled: await pick('handled', () =>
          timed(Math.min(runs, 10), api('/api/v1/reports/handled', supervisor)),
        ),
        health: await pick('health', () => timed(runs, api('/health'))),
        idleSweep: await pick('idleSweep', () =>
          timed(Math.min(runs, 10), async () => {
            await watcher.sweep(new Date());
            return 0;
          }),
        ),
      };
      const loadAfter = loadavg().map((l) => l.toFixed(1));
      console.log(
        JSON.stringify(
          {
            bench: 'scale',
            at: new Date().toISOString(),
            appeals: size,
            open,
            overdueMarks: overdue,
            fillSeconds,
            firstSweepMs: first.tookMs,
            loadAverage: { before: load, after: loadAfter },
            ms: m,
          },
          null,
          2,
        ),
      );
      const q = (t: Timing) => `p50 ${t.p50} ms, p95 ${t.p95} ms`;
      const queue = (figure: string, t: Timing): TargetRow => ({
        figure,
        measured: q(t),
        target: `p95 < ${SCALE_TARGETS.queueP95Ms} ms`,
        met: t.p95 < SCALE_TARGETS.queueP95Ms,
      });
      printTable(
        `scale · ${size} appeals (${open} open, ${overdue} overdue marks) · ${runs} runs · autovacuum ${autovacuum} · load ${load.join(' ')} → ${loadAfter.join(' ')}`,
        [
          queue('inbox, due sort (operator)', m.dueSort),
          queue('inbox, due sort, next page by cursor', m.dueSortPage2),
          queue('overdue queue (operator)', m.overdueOperator),
          queue('overdue queue (clerk)', m.overdueClerk),
          queue('clerk inbox, own organisation', m.clerkInbox),
          queue('manual classification queue', m.manualQueue),
          ...SEARCH_CASES.map(([key, figure]) => ({
            figure,
            measured: q(m[key]),
            target: `p95 < ${SCALE_TARGETS.searchP95Ms} ms`,
            met: m[key].p95 < SCALE_TARGETS.searchP95Ms,
          })),
          {
            figure: 'supervisor dashboard',
            measured: `${q(m.dashboard)}, ${Math.round(m.dashboard.bytes / 1000)} KB`,
            target: `< ${SCALE_TARGETS.dashboardMs} ms, < ${SCALE_TARGETS.dashboardBytes / 1000} KB`,
            met:
              m.dashboard.p95 < SCALE_TARGETS.dashboardMs && m.dashboard.bytes < SCALE_TARGETS.dashboardBytes,
          },
          {
            figure: 'dashboard, own organisation (clerk)',
            measured: `${q(m.dashboardClerk)}, ${Math.round(m.dashboardClerk.bytes / 1000)} KB`,
            target: `< ${SCALE_TARGETS.dashboardMs} ms, < ${SCALE_TARGETS.dashboardBytes / 1000} KB`,
            met:
              m.dashboardClerk.p95 < SCALE_TARGETS.dashboardMs &&
              m.dashboardClerk.bytes < SCALE_TARGETS.dashboardBytes,
          },
          { figure: 'handled report, last 30 days', measured: q(m.handled), target: '—' },
          {
            figure: '/health',
            measured: q(m.health),
            target: `< ${SCALE_TARGETS.healthMs} ms`,
            met: m.health.p95 < SCALE_TARGETS.healthMs,
          },
          {
            figure: 'clock sweep, nothing to mark',
            measured: `${q(m.idleSweep)} (first sweep ${first.tookMs} ms, ${first.marks} marks)`,
            target: `< ${SCALE_TARGETS.idleSweepMs} ms`,
            met: m.idleSweep.p95 < SCALE_TARGETS.idleSweepMs,
          },
        ].filter((row) => !row.measured.includes('NaN')),
      );
      results.push({ size, m, fillRate, firstSweepMs: first.tookMs });
    }
    if (results.length > 1) printAcrossSizes(results);
  } finally {
    await sweeper?.close();
    await app?.close();
    await client.end();
    if (!keep) await db.drop();
  }
}
