import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { AccessModule, Role, StaffUsers } from '@inbox/access';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { generateDemoAppeals } from '@inbox/demo';
import { freePort } from '../apps/all-in-one/src/local-services';
import { createBenchDatabase } from './bench-database';
import { flag, printGrid } from './report';
import { printApiSizing } from './sizing';
import { fillAppeals } from './scale';

/**
 * `npm run bench -- apis [N] [--apis 1,2] [--seconds 20] [--clients 32]` (issue 18, scale-out): N filled appeals
 * (as `scale` fills them), then several built api processes on one machine — different ports, one database, one
 * Redis — and a closed loop of clients spread over the first k of them, for staff queries and for public form
 * submissions (registered in the api, as the form does). Before the load it checks that the processes work as
 * one: a token signed in on the first is valid on every other, a live-stream ticket issued by one opens the
 * stream on another, and an appeal registered through one reaches a client streaming from another.
 */

@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), AccessModule] })
class UsersModule {}

const API = join(__dirname, '..', 'apps', 'api', 'src', 'main.js');
/** Before each measured window, and over every process once before the first (their first requests are cold). */
const WARM_UP_MS = 3000;
const WORDS = ['отопление', 'мусор', 'дорога', 'освещение', 'вода', 'капремонт', 'детский сад', 'автобус'];

interface Load {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function upAt(base: string, process: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (process.exitCode !== null) throw new Error(`api at ${base} exited with code ${process.exitCode}`);
    const ok = await fetch(`${base}/health`)
      .then((r) => r.status < 500)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`api at ${base} not up within 120 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function signIn(users: StaffUsers, base: string, role: Role, organisationId: string) {
  const login = `bench-${role}-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  await users.create({ login, password, fullName: `Замер ${role}`, role, organisationId });
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
}

/** Opens the live stream on `base` with a ticket issued by `ticketBase`; resolves once it is ready. */
async function openStream(ticketBase: string, base: string, headers: Record<string, string>) {
  const res = await fetch(`${ticketBase}/api/v1/appeals/stream/ticket`, { method: 'POST', headers });
  if (res.status !== 200) throw new Error(`stream ticket: ${res.status}`);
  const { ticket } = (await res.json()) as { ticket: string };
  let text = '';
  const req = httpRequest(`${base}/api/v1/appeals/stream?ticket=${encodeURIComponent(ticket)}`);
  const ready = new Promise<void>((resolve, reject) => {
    req.on('response', (r) => {
      if (r.statusCode !== 200) reject(new Error(`stream on another api process: ${r.statusCode}`));
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('event: ready')) resolve();
      });
    });
    req.on('error', reject);
  });
  req.end();
  await ready;
  return { seen: (id: string) => text.includes(id), close: () => req.destroy() };
}

/** The processes behave as one: tokens, stream tickets and stream events cross from one to the other. */
async function checkTogether(bases: string[], operator: Record<string, string>): Promise<string[]> {
  const checks: string[] = [];
  for (const base of bases.slice(1)) {
    const res = await fetch(`${base}/api/v1/appeals?limit=1`, { headers: operator });
    if (res.status !== 200)
      throw new Error(`a token signed in on ${bases[0]} is refused by ${base}: ${res.status}`);
  }
  checks.push(`a token signed in on one process is valid on all ${bases.length}`);
  if (bases.length < 2) return checks;
  const stream = await openStream(bases[0], bases[1], operator);
  try {
    checks.push('a stream ticket issued by one process opens the stream on another');
    const res = await fetch(`${bases[0]}/api/v1/appeals`, {
      method: 'POST',
      headers: operator,
      body: JSON.stringify({
        medium: 'phone',
        surname: 'Соколова',
        firstName: 'Анна',
        phone: '+7 913 777-66-55',
        subject: 'Проверка потока между процессами',
        text: 'Проверка: обращение, зарегистрированное через один процесс api, видно в потоке другого.',
      }),
    });
    if (res.status !== 201) throw new Error(`operator registration: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    const deadline = Date.now() + 15_000;
    while (!stream.seen(id)) {
      if (Date.now() > deadline)
        throw new Error('an appeal registered on one process never reached the stream of another');
      await new Promise((r) => setTimeout(r, 100));
    }
    checks.push('an appeal registered through one process reaches a client streaming from another');
  } finally {
    stream.close();
  }
  return checks;
}

/** `clients` loops, each sending its next request to the next process in turn, for `seconds` after a warm-up. */
async function closedLoop(
  bases: string[],
  clients: number,
  seconds: number,
  call: (base: string, i: number) => Promise<boolean>,
): Promise<Load> {
  let stopAt = Date.now() + WARM_UP_MS;
  let counting = false;
  const ms: number[] = [];
  let errors = 0;
  let next = 0;
  const loop = async (c: number) => {
    for (let k = c; Date.now() < stopAt; k++) {
      const i = next++;
      const started = performance.now();
      const ok = await call(bases[k % bases.length], i).catch(() => false);
      if (!counting) continue;
      ms.push(performance.now() - started);
      if (!ok) errors++;
    }
  };
  // Warm-up, not counted, then the measured window.
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  counting = true;
  stopAt = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  const elapsed = (Date.now() - started) / 1000;
  ms.sort((x, y) => x - y);
  const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN);
  return {
    requests: ms.length,
    errors,
    perSecond: Math.round((ms.length / elapsed) * 10) / 10,
    p50: at(0.5),
    p99: at(0.99),
  };
}

export async function benchApis(args: string[]): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 50_000);
  const counts = (flag(args, '--apis') ?? '1,2')
    .split(',')
    .map(Number)
    .filter((k) => Number.isInteger(k) && k > 0);
  const seconds = Number(flag(args, '--seconds') ?? 20);
  const clients = Number(flag(args, '--clients') ?? 32);
  const db = await createBenchDatabase('inbox_bench_apis');
  const client = new Client({ connectionString: db.url });
  await client.connect();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    // One signing secret for every process, as production sets it.
    AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'error',
    HTTP_HOST: '127.0.0.1',
    // Every client is 127.0.0.1: the form's per-address limit would refuse the load after 20 submissions.
    RATE_LIMIT_FORM: 'off',
  };
  Object.assign(process.env, env);
  const apis: ChildProcess[] = [];
  let users: INestApplicationContext | undefined;
  try {
    const texts = generateDemoAppeals({ count: 400, seed: 11, now: new Date() }).map((d) => d.text);
    const filling = Date.now();
    await fillAppeals(db.url, 0, n, texts);
    await client.query('VACUUM ANALYZE');
    process.stderr.write(`  filled ${n} appeals in ${Math.round((Date.now() - filling) / 1000)} s\n`);
    const bases: string[] = [];
    for (let i = 0; i < Math.max(...counts); i++) {
      const port = await freePort(0);
      const child = spawn(process.execPath, [API], {
        env: { ...env, HTTP_PORT: String(port) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      apis.push(child);
      bases.push(`http://127.0.0.1:${port}`);
      await upAt(bases[i], child);
    }
    users = await NestFactory.createApplicationContext(UsersModule, { logger: ['error'] });
    const staffUsers = users.get(StaffUsers);
    const [{ region, busiest }] = (
      await client.query(
        `SELECT (SELECT id FROM organisations WHERE kind = 'region' ORDER BY code LIMIT 1) AS region,
                (SELECT organisation_id FROM appeals GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) AS busiest`,
      )
    ).rows as { region: string; busiest: string }[];
    // Signed in on the first process only: every other process must take the same tokens.
    const operator = await signIn(staffUsers, bases[0], Role.Operator, region);
    const clerk = await signIn(staffUsers, bases[0], Role.Clerk, busiest);
    const checks = await checkTogether(bases, operator);
    const ids = (
      (await client.query(`SELECT id FROM appeals ORDER BY registered_at DESC LIMIT 500`)).rows as {
        id: string;
      }[]
    ).map((r) => r.id);
    const get = async (url: string, headers: Record<string, string>) => {
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      return res.status === 200;
    };
    const staffQueries = [
      (base: string) => get(`${base}/api/v1/appeals?sort=due&limit=50`, operator),
      (base: string) => get(`${base}/api/v1/appeals?clock=overdue&sort=due&limit=50`, operator),
      (base: string) => get(`${base}/api/v1/appeals?limit=50`, clerk),
      (base: string, i: number) =>
        get(`${base}/api/v1/appeals?limit=50&q=${encodeURIComponent(WORDS[i % WORDS.length])}`, operator),
      (base: string, i: number) => get(`${base}/api/v1/appeals/${ids[i % ids.length]}`, operator),
    ];
    const run = randomBytes(3).toString('hex');
    const workloads: { name: string; call: (base: string, i: number) => Promise<boolean> }[] = [
      {
        name: 'staff queries (due, overdue, clerk inbox, search, card)',
        call: (base, i) => staffQueries[i % staffQueries.length](base, i),
      },
      {
        name: 'public form submissions (registered in the api)',
        call: async (base, i) => {
          const res = await fetch(`${base}/api/v1/public/appeals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              surname: 'Кузнецова',
              firstName: 'Ольга',
              email: `olga${i % 997}@example.ru`,
              address: 'г. Новосибирск, ул. Ленина, 15',
              text: `${texts[i % texts.length]} (замер ${run}-${i})`,
              consent: 'true',
            }),
          });
          await res.arrayBuffer();
          return res.status === 201;
        },
      },
    ];
    const results: { workload: string; apis: number; load: Load; loadavg: string }[] = [];
    for (const workload of workloads) {
      await closedLoop(bases, clients, 0, workload.call);
      for (const k of counts) {
        const before = loadavg()[0].toFixed(1);
        process.stderr.write(`  ${workload.name}: ${k} api processes, ${clients} clients, ${seconds} s…\n`);
        const load = await closedLoop(bases.slice(0, k), clients, seconds, workload.call);
        results.push({ workload: workload.name, apis: k, load, loadavg: before });
      }
    }
    console.log(
      JSON.stringify(
        { bench: 'apis', at: new Date().toISOString(), appeals: n, clients, seconds, checks, results },
        null,
        2,
      ),
    );
    console.log(`\napi processes together (${bases.length} on one machine, one database, one Redis):`);
    for (const c of checks) console.log(`  ✓ ${c}`);
    const first = (w: string) => results.find((r) => r.workload === w)!.load.perSecond;
    printGrid(
      `api scale-out · ${n} appeals · ${clients} clients, closed loop, ${seconds} s each · × = against ${counts[0]} process(es)`,
      ['workload', 'api processes', 'requests/s', 'p50 / p99', 'errors', 'load before'],
      results.map((r) => [
        r.workload,
        String(r.apis),
        `${r.load.perSecond} (${(r.load.perSecond / first(r.workload)).toFixed(2)}×)`,
        `${r.load.p50} / ${r.load.p99} ms`,
        `${r.load.errors} of ${r.load.requests}`,
        r.loadavg,
      ]),
    );
    const perProcess = (workload: string) => {
      const r = results.find((x) => x.workload === workload)!;
      return Math.round((r.load.perSecond / r.apis) * 10) / 10;
    };
    printApiSizing(perProcess(workloads[0].name), perProcess(workloads[1].name));
  } finally {
    await users?.close();
    for (const a of apis) a.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    for (const a of apis) if (a.exitCode === null) a.kill('SIGKILL');
    await client.end();
    await db.drop();
  }
}
