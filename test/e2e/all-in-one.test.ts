import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../apps/all-in-one/src/local-services';
import { publicStatus } from '../support/citizen';

/**
 * `npm start` as a new user runs it: from a checkout inside a directory only its owner can enter (mktemp -d,
 * /root/…), with nothing configured, as whoever runs the suite (root in CI). It must come up, answer /health,
 * stop on Ctrl-C, and on the next start find what the first run stored.
 */
const REPO = resolve(__dirname, '../..');
const MAIN = join('dist', 'apps', 'all-in-one', 'src', 'main.js');
// Two boots of the whole system (migrations, demo region, classifier), on a busy 2-core machine.
const BOOT_MS = 240_000;

interface Running {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** The checkout as a user would have it: every file of ours, node_modules and the build, inside `dir`. */
function copyCheckout(target: string): void {
  const entries = ['package.json', 'node_modules', 'dist', 'apps', 'libs', 'integrations', 'migrations'];
  for (const entry of entries) {
    // Hard links where the filesystem allows (fast, and still real files inside the private directory).
    const linked = spawnSync('cp', ['-al', join(REPO, entry), join(target, entry)]);
    if (linked.status !== 0) {
      const copied = spawnSync('cp', ['-a', join(REPO, entry), join(target, entry)], { encoding: 'utf8' });
      if (copied.status !== 0) throw new Error(`copying ${entry} failed: ${copied.stderr}`);
    }
  }
}

/** Only what a new user's shell would have: no DATABASE_URL, REDIS_URL or test settings. */
function cleanEnv(port: number): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL', 'TZ'];
  const env: NodeJS.ProcessEnv = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, HTTP_PORT: String(port), CLASSIFIER_RETRAIN_CRON: 'off' };
}

function start(checkout: string, port: number, extraEnv: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [join(checkout, MAIN)], {
    cwd: checkout,
    env: { ...cleanEnv(port), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => {
      output.push(line);
      if (output.length > 400) output.shift();
    });
  }
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output, exited };
}

async function waitForStart(run: Running, baseUrl: string): Promise<void> {
  const deadline = Date.now() + BOOT_MS;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) {
      throw new Error(`npm start exited with ${run.child.exitCode}:\n${run.output.slice(-60).join('\n')}`);
    }
    // The banner comes once the api is healthy and every process is up.
    if (run.output.some((l) => l.includes('Остановить: Ctrl+C'))) {
      const res = await fetch(`${baseUrl}/health`).catch(() => undefined);
      if (res?.ok) return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `npm start did not come up within ${BOOT_MS / 1000} s:\n${run.output.slice(-60).join('\n')}`,
  );
}

async function stop(run: Running): Promise<number | null> {
  run.child.kill('SIGINT');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
  const code = await run.exited;
  clearTimeout(timer);
  return code;
}

describe('npm start from a checkout only its owner can enter', () => {
  let dir: string;
  let checkout: string;
  let running: Running | undefined;

  beforeAll(() => {
    if (!existsSync(join(REPO, MAIN))) throw new Error(`${MAIN} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'all-in-one-'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    checkout = join(dir, 'checkout');
    spawnSync('mkdir', [checkout]);
    copyCheckout(checkout);
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null) await stop(running);
    if (!dir) return;
    // As root the cluster lives outside the checkout; the checkout records where.
    const record = join(checkout, '.data', 'postgres-cluster');
    if (existsSync(record)) rmSync(readFileSync(record, 'utf8').trim(), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'comes up, answers /health, stops on Ctrl-C, and the next start finds its data',
    async () => {
      const port = await freePort(0);
      const baseUrl = `http://127.0.0.1:${port}`;

      running = start(checkout, port);
      await waitForStart(running, baseUrl);
      const health = await fetch(`${baseUrl}/health`);
      expect(health.status).toBe(200);
      expect(running.output.some((l) => /Документация API: +\S+\/api\/docs$/.test(l))).toBe(true);
      const created = await fetch(`${baseUrl}/api/v1/public/appeals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          surname: 'Проверкина',
          firstName: 'Анна',
          email: 'a.proverkina@example.ru',
          text: 'Проверка: обращение должно пережить перезапуск системы.',
          consent: 'true',
        }),
      });
      expect(created.status).toBe(201);
      const { registrationNumber, accessCode } = (await created.json()) as Record<string, string>;
      expect(await stop(running)).toBe(0);
      // The api and worker ended by themselves (Nest re-raises the signal once closed), before Redis and
      // Postgres were stopped under them.
      const lines = running.output;
      const stopped = lines.findIndex((l) => /api and worker stopped \((0|SIGTERM), (0|SIGTERM)\)/.test(l));
      expect(stopped).toBeGreaterThanOrEqual(0);
      expect(stopped).toBeLessThan(lines.findIndex((l) => l.includes('redis: stopped')));

      // Started again with the API docs off (as in production): the banner names no page that is not there.
      running = start(checkout, port, { API_DOCS: 'off' });
      await waitForStart(running, baseUrl);
      expect((await fetch(`${baseUrl}/api/docs-json`)).status).toBe(404);
      expect(running.output.join('\n')).not.toContain('Документация API');
      const status = await publicStatus(baseUrl, registrationNumber, accessCode);
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({ registrationNumber });
      // The second start used the cluster it had: no new one was made.
      expect(running.output.join('\n')).not.toContain('creating a new database cluster');
      expect(await stop(running)).toBe(0);
    },
    2 * BOOT_MS + 120_000,
  );
});
