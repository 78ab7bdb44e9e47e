import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensurePostgres, ensureRedis, freePort, type LocalService } from './local-services';
import { channelsFromEnv } from '@inbox/channels';
import { DEMO_PASSWORD, DEMO_USERS, prepareDemoDatabase } from './seed-demo';

const ROOT = join(__dirname, '..', '..', '..', '..');
const DIST = join(ROOT, 'dist', 'apps');

function log(line: string): void {
  process.stdout.write(`[start] ${line}\n`);
}

/** Runs an app as its own process, as in production, with its output prefixed. */
function startApp(name: 'api' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [join(DIST, name, 'src', 'main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  return child;
}

/** How long the api and worker may take to finish their work when the system stops. */
const STOP_GRACE_MS = 20_000;

/** The child's exit code (its signal's name if killed), whenever it exits — or now, if it has. */
function exitOf(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(String(child.exitCode ?? child.signalCode));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(String(code ?? signal))));
}

async function waitForHealth(url: string, api: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (api.exitCode !== null)
      throw new Error(`the api exited with code ${api.exitCode}; see its output above`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the api did not become healthy within ${timeoutMs / 1000} s`);
}

/**
 * `npm start`: the whole system on embedded defaults. Postgres from DATABASE_URL or an embedded one, Redis
 * from REDIS_URL or a private redis-server, migrations, demo data, then api and worker as two processes.
 */
async function main(): Promise<void> {
  const services: LocalService[] = [];
  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    // The api and worker finish and close their connections before the services they use stop: a fixed pause
    // stopped Redis under a busy worker (its queue connections failing in the log). One that does not exit
    // within the grace is killed.
    const exits = children.map(exitOf);
    for (const child of children) child.kill('SIGTERM');
    const grace = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), STOP_GRACE_MS);
    const codes = await Promise.all(exits);
    clearTimeout(grace);
    // Nest re-raises the signal once closed: SIGTERM is a clean stop, SIGKILL one that ran out of grace.
    if (children.length > 0) log(`api and worker stopped (${codes.join(', ')})`);
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const dataDir = join(ROOT, '.data');
    const postgres = await ensurePostgres({ env: process.env, localDir: dataDir, log });
    services.push(postgres);
    const redis = await ensureRedis({
      env: process.env,
      dataDir: join(dataDir, 'redis'),
      allowInstall: true,
      log,
    });
    services.push(redis);
    const port = process.env.HTTP_PORT ? Number(process.env.HTTP_PORT) : await freePort(3000);
    const baseUrl = process.env.PUBLIC_BASE_URL ?? `http://localhost:${port}`;
    // The embedded demo only: a signing key for this run, in memory, shared by its processes (production must
    // set AUTH_TOKEN_SECRET; the api refuses to start without it when NODE_ENV=production).
    const generatedSecret = !process.env.AUTH_TOKEN_SECRET;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AUTH_TOKEN_SECRET: process.env.AUTH_TOKEN_SECRET || randomBytes(48).toString('base64url'),
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      HTTP_PORT: String(port),
      PUBLIC_BASE_URL: baseUrl,
    };
    Object.assign(process.env, env);

    const { appeals } = await prepareDemoDatabase(log);
    log(`database ready: ${appeals} appeals`);
    const api = startApp('api', env);
    children.push(api, startApp('worker', env));
    for (const child of children) {
      child.on('exit', (code) => {
        if (!stopping) {
          log(`a process exited with code ${code}; stopping the rest`);
          void stop(1);
        }
      });
    }
    // Asked on the address the api listens on: PUBLIC_BASE_URL's host is for browsers, and a machine without
    // /etc/hosts (a bare chroot or container) cannot resolve even "localhost".
    const host =
      !process.env.HTTP_HOST || ['0.0.0.0', '::'].includes(process.env.HTTP_HOST)
        ? '127.0.0.1'
        : process.env.HTTP_HOST;
    const apiUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    await waitForHealth(`${apiUrl}/health`, api);
    // Named only when the api serves it (API_DOCS, off in production): asked, not worked out again from the env.
    const docsServed = await fetch(`${apiUrl}/api/docs-json`, { method: 'HEAD' })
      .then((r) => r.ok)
      .catch(() => false);
    const lines = [
      '',
      'Единый центр обращений граждан запущен:',
      `  Форма обращения:        ${baseUrl}/`,
      `  Статус обращения:       ${baseUrl}/status.html`,
      ...(docsServed ? [`  Документация API:       ${baseUrl}/api/docs`] : []),
      `  Обращения (API):        ${baseUrl}/api/v1/appeals`,
      `  Состояние системы:      ${baseUrl}/health`,
      `  Рабочее место сотрудника: ${baseUrl}/app/`,
      '',
      `Вход (пароль у всех «${DEMO_PASSWORD}»):`,
      ...DEMO_USERS.map((u) => `  ${u.login.padEnd(12)} ${u.fullName}`),
      '',
      'Каналы:',
      ...channelLines(),
      '',
      generatedSecret
        ? '  Ключ подписи токенов:   AUTH_TOKEN_SECRET не задан — создан случайный на этот запуск (только для демонстрации; после перезапуска войдите заново)'
        : '  Ключ подписи токенов:   из AUTH_TOKEN_SECRET',
      `  Postgres:               ${postgres.description}`,
      `  Redis:                  ${redis.description}`,
      'Остановить: Ctrl+C',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } catch (error) {
    process.stderr.write(`\nЗапуск не удался: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
  }
}

/** Which channels run and which are off, with the reason (the variables to set). */
function channelLines(): string[] {
  const { accounts, off } = channelsFromEnv(process.env);
  return [
    '  форма на сайте          включена (встроенная)',
    ...accounts.map((a) => `  ${a.kind.padEnd(22)}  включён (${a.name})`),
    ...off.map((o) => `  ${o.kind.padEnd(22)}  выключен: ${o.reason}`),
  ];
}

void main();
