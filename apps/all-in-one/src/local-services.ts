/**
 * Brings up Postgres and Redis for `npm start` on a fresh clone: use DATABASE_URL / REDIS_URL when given,
 * otherwise run private instances on loopback so that no hand-made config is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { redactUrl } from '@inbox/config';
import Redis from 'ioredis';
import { Client } from 'pg';
import { initCluster, planCluster, startPostmaster, stopPostmaster } from './postgres-cluster';

export interface LocalService {
  url: string;
  description: string;
  stop(): Promise<void>;
}

type Log = (line: string) => void;

const PREFERRED_POSTGRES_PORT = 54329;
const PREFERRED_REDIS_PORT = 63790;
const DATABASE_NAME = 'inbox';
const POSTGRES_ROLE = 'postgres';
// Enough output to explain a failed start without flooding the console.
const KEPT_OUTPUT_LINES = 40;

export async function ensurePostgres(opts: {
  env: NodeJS.ProcessEnv;
  /** The checkout's git-ignored `.data`: the embedded cluster, or the record of where root keeps it. */
  localDir: string;
  log: Log;
}): Promise<LocalService> {
  const url = opts.env.DATABASE_URL;
  if (!url) return startEmbeddedPostgres(opts.localDir, opts.log);
  try {
    await queryPostgres(url, 'select 1');
  } catch (err) {
    throw new Error(
      `DATABASE_URL is set to ${redactUrl(url)}, but Postgres there does not answer: ${errorText(err)}. ` +
        'Fix the URL or unset DATABASE_URL to run an embedded Postgres.',
    );
  }
  opts.log(`postgres: using DATABASE_URL ${redactUrl(url)}`);
  return { url, description: `Postgres at ${redactUrl(url)} (DATABASE_URL)`, stop: async () => undefined };
}

export async function ensureRedis(opts: {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  allowInstall: boolean;
  log: Log;
}): Promise<LocalService> {
  const { env, log } = opts;
  const url = env.REDIS_URL;
  if (url) {
    try {
      await pingRedis(url);
    } catch (err) {
      throw new Error(
        `REDIS_URL is set to ${redactUrl(url)}, but Redis there does not answer PING: ${errorText(err)}. ` +
          'Fix the URL or unset REDIS_URL to run a private redis-server.',
      );
    }
    log(`redis: using REDIS_URL ${redactUrl(url)}`);
    return { url, description: `Redis at ${redactUrl(url)} (REDIS_URL)`, stop: async () => undefined };
  }

  const searchPath = env.PATH ?? process.env.PATH ?? '';
  let server = await findExecutable('redis-server', searchPath);
  if (!server) {
    const canInstall = opts.allowInstall && process.getuid?.() === 0 && existsSync('/etc/debian_version');
    if (!canInstall) {
      throw new Error(
        'Redis is needed, but redis-server is not installed. Install it (as root: `apt-get install redis-server`) ' +
          'or set REDIS_URL to a running Redis, e.g. REDIS_URL=redis://127.0.0.1:6379.',
      );
    }
    await aptInstall('redis-server', log);
    // apt puts it in /usr/bin even if PATH is unusual.
    server = await findExecutable('redis-server', `${searchPath}${path.delimiter}/usr/bin`);
    if (!server) throw new Error('apt-get installed redis-server, but no redis-server executable was found.');
  }
  return startPrivateRedis(server, path.resolve(opts.dataDir), log);
}

/**
 * An embedded Postgres for this checkout (where it lives and as whom it runs: postgres-cluster.ts). `localDir` is
 * the checkout's git-ignored `.data`; the data survives restarts.
 */
async function startEmbeddedPostgres(localDirOption: string, log: Log): Promise<LocalService> {
  const plan = await planCluster(path.resolve(localDirOption), log);
  const { dataDir, passwordFile } = plan;
  await stopLeftoverPostmaster(dataDir, log);

  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  let password: string;
  if (initialised) {
    try {
      password = (await readFile(passwordFile, 'utf8')).trim();
    } catch {
      throw new Error(
        `Postgres data in ${dataDir} has no password file ${passwordFile}; ` +
          `delete ${dataDir} to start with a fresh database, or set DATABASE_URL.`,
      );
    }
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await initCluster(plan, password, log);
  }

  const output = new RecentLines();
  const port = await freePort(PREFERRED_POSTGRES_PORT);
  log(`postgres: starting embedded Postgres on 127.0.0.1:${port} (data in ${dataDir})`);
  let child: ChildProcess;
  try {
    child = await startPostmaster(plan, port, (line) => output.add(line, log, 'postgres'));
  } catch (err) {
    throw new Error(`embedded Postgres did not start (data in ${dataDir}): ${errorText(err)}`.trim());
  }
  const watchdog = child.pid ? killWhenWeDie(child.pid, 'INT') : undefined;
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) log(`postgres: server exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`);
  });

  const base = `postgres://${POSTGRES_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      stopping = true;
      watchdog?.kill('SIGKILL');
      await stopPostmaster(child);
      log('postgres: stopped');
    })());

  try {
    await createDatabaseIfMissing(`${base}/postgres`, DATABASE_NAME, log);
  } catch (err) {
    await stop();
    throw new Error(
      `embedded Postgres started, but creating database "${DATABASE_NAME}" failed: ${errorText(err)}`,
    );
  }
  const url = `${base}/${DATABASE_NAME}`;
  log(`postgres: ready at ${redactUrl(url)}`);
  return { url, description: `embedded Postgres at ${redactUrl(url)} (data in ${dataDir})`, stop };
}

/** A postgres left by a run that was killed outright still holds the data directory: stop it. */
async function stopLeftoverPostmaster(dataDir: string, log: Log): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || processName(pid) !== 'postgres') return;
  const parent = parentPid(pid);
  if (parent !== undefined && parent > 1 && parent !== process.pid && processName(parent) === 'node') {
    throw new Error(
      `Postgres data in ${dataDir} is in use by postgres pid ${pid}, started by node pid ${parent} ` +
        '(another `npm start`?). Stop that one first or use another data directory.',
    );
  }
  log(`postgres: stopping a leftover Postgres (pid ${pid}) from an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited >= 30_000) {
      throw new Error(`leftover Postgres (pid ${pid}) on ${dataDir} did not stop within 30 s`);
    }
    await sleep(100);
  }
}

async function createDatabaseIfMissing(adminUrl: string, name: string, log: Log): Promise<void> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      log(`postgres: creating database "${name}"`);
      await client.query(`create database ${client.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
}

async function queryPostgres(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function startPrivateRedis(server: string, dataDir: string, log: Log): Promise<LocalService> {
  await mkdir(dataDir, { recursive: true });
  const port = await freePort(PREFERRED_REDIS_PORT);
  const password = randomBytes(18).toString('base64url');
  const output = new RecentLines();
  log(`redis: starting ${server} on 127.0.0.1:${port}`);
  // Nothing kept on disk: this Redis only carries one run's queues.
  const noDisk = ['--save', '', '--appendonly', 'no'];
  const args = ['--port', `${port}`, '--bind', '127.0.0.1', ...noDisk, '--dir', dataDir];
  // Own process group: Ctrl-C reaches only us, and we stop Redis after the app has drained its queues.
  // "-" makes it read the password from stdin, so that it never shows in `ps`.
  const child = spawn(server, ['-', ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(err.message));
    child.once('exit', (code, signal) => resolve(`code ${code ?? 'none'}, signal ${signal ?? 'none'}`));
  });
  let stopping = false;
  void exited.then((how) => {
    if (!stopping) log(`redis: exited (${how})`);
  });
  forwardLines(child.stdout, (line) => output.add(line, log, 'redis'));
  forwardLines(child.stderr, (line) => output.add(line, log, 'redis'));
  child.stdin.end(`requirepass ${password}\n`);
  const watchdog = child.pid ? killWhenWeDie(child.pid, 'TERM') : undefined;

  const url = `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      stopping = true;
      watchdog?.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      log('redis: stopped');
    })());

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
      const how = await exited;
      await stop();
      throw new Error(`redis-server did not start: ${how}\n${output.text()}`.trim());
    }
    try {
      await pingRedis(url);
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `redis-server did not answer PING within 15 s: ${errorText(err)}\n${output.text()}`.trim(),
        );
      }
      await sleep(100);
    }
  }
  log(`redis: ready at ${redactUrl(url)}`);
  return { url, description: `private redis-server at ${redactUrl(url)} (nothing kept on disk)`, stop };
}

async function pingRedis(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() only says "Connection is closed"; the 'error' event has the real cause (ECONNREFUSED...).
  let cause: Error | undefined;
  client.on('error', (err: Error) => (cause ??= err));
  try {
    await client.connect();
    const reply = await client.ping();
    if (reply !== 'PONG') throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
  } catch (err) {
    throw cause ?? err;
  } finally {
    // On a closed connection disconnect() would leave a 2 s timer that keeps the process (and jest) alive.
    if (client.status !== 'end') client.disconnect();
  }
}

async function aptInstall(pkg: string, log: Log): Promise<void> {
  const install = ['install', '-y', pkg];
  log(`redis: redis-server is not installed; running apt-get ${install.join(' ')}`);
  if ((await runLogged('apt-get', install, log)) === 0) return;
  log('redis: apt-get install failed; running apt-get update and trying again');
  if ((await runLogged('apt-get', ['update'], log)) !== 0) {
    throw new Error(
      'apt-get update failed: install redis-server by hand (`apt-get install redis-server`) or set REDIS_URL.',
    );
  }
  if ((await runLogged('apt-get', install, log)) !== 0) {
    throw new Error(`apt-get ${install.join(' ')} failed: install it by hand or set REDIS_URL.`);
  }
}

function runLogged(command: string, args: string[], log: Log): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    forwardLines(child.stdout, (line) => log(`apt: ${line}`));
    forwardLines(child.stderr, (line) => log(`apt: ${line}`));
    child.once('error', (err) => {
      log(`apt: ${err.message}`);
      resolve(-1);
    });
    child.once('close', (code) => resolve(code ?? -1));
  });
}

/**
 * A shell that waits on a pipe from us and signals `pid` when the pipe closes: a child left running after we
 * die (even by SIGKILL) would hold its port and data directory. Detached, so Ctrl-C does not end it early.
 */
function killWhenWeDie(pid: number, signal: 'INT' | 'TERM'): ChildProcess {
  const script = 'read -r _; kill -s "$1" "$2" 2>/dev/null';
  const watchdog = spawn('sh', ['-c', script, 'watchdog', signal, `${pid}`], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as (typeof watchdog.stdin & { unref?: () => void }) | null)?.unref?.();
  return watchdog;
}

/** Tries the preferred port on loopback, else lets the OS pick one. */
export async function freePort(preferred: number): Promise<number> {
  try {
    return await listenOnce(preferred);
  } catch {
    return listenOnce(0);
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(chosen));
    });
  });
}

async function findExecutable(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** Keeps a child's last lines for error messages and passes on only warnings and errors. */
class RecentLines {
  private readonly lines: string[] = [];

  add(chunk: string, log: Log, prefix: string): void {
    for (const line of chunk.split('\n')) {
      const trimmed = line.trimEnd();
      if (!trimmed) continue;
      this.lines.push(trimmed);
      if (this.lines.length > KEPT_OUTPUT_LINES) this.lines.shift();
      // Redis's overcommit warning shows on most machines and cannot be fixed from here (sysctl).
      if (/\b(WARNING|ERROR|FATAL|PANIC)\b/.test(trimmed) && !/overcommit/i.test(trimmed)) {
        log(`${prefix}: ${trimmed}`);
      }
    }
  }

  text(): string {
    return this.lines.join('\n');
  }
}

function forwardLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (stream) createInterface({ input: stream }).on('line', onLine);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name in field 2 may contain spaces; fields after its closing parenthesis are plain.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message.replace(/\.$/, '');
  return err === undefined ? 'no reason given' : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
