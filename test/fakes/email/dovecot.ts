import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapWireClient } from './imap-wire';

/**
 * A private Dovecot (Debian's dovecot-imapd) for tests: its own config, port, passwd file and maildirs
 * under a temp folder, started in the foreground as a child of the test and killed by its pid. The
 * system service is never touched, so it works whether that one is running, stopped or never started.
 */
export interface DovecotInstance {
  host: string;
  port: number;
  users: { user: string; password: string }[];
  baseDir: string;
  /** Put a message into a user's mailbox with IMAP APPEND, as a delivery agent would. */
  deliver(user: string, rawMessage: Buffer | string, mailbox?: string): Promise<void>;
  /**
   * Put a letter straight into a user's Maildir under a file name whose size (`,S=`) is wrong, and let Dovecot
   * give it the next UID: Dovecot then refuses to FETCH it ("Cached message size larger than expected"), as it
   * does a letter damaged on disk, and by default drops the connection with `* BYE FETCH failed`.
   */
  deliverUnreadable(user: string, rawMessage: string, mailbox?: string): Promise<void>;
  /** Delete and create a mailbox again: its UIDVALIDITY changes (RFC 3501 2.3.1.1). */
  recreateMailbox(user: string, mailbox: string): Promise<void>;
  createMailbox(user: string, mailbox: string): Promise<void>;
  /** The mailbox's current UIDVALIDITY. */
  uidValidity(user: string, mailbox?: string): Promise<number>;
  stop(): Promise<void>;
}

export interface DovecotOptions {
  users?: { user: string; password: string }[];
  /**
   * What Dovecot does when it cannot read a letter a FETCH asks for (`imap_fetch_failure`): by default it drops
   * the connection (`* BYE FETCH failed`); `no-after` gives the other letters and answers the command NO.
   */
  fetchFailure?: 'disconnect-immediately' | 'no-after';
}

const CANDIDATES = [process.env.DOVECOT_BIN, '/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].filter(
  Boolean,
) as string[];

function dovecotBinary(): string {
  for (const path of CANDIDATES) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `dovecot is not installed (looked at ${CANDIDATES.join(', ')}): apt-get install -y dovecot-imapd, ` +
      'or set DOVECOT_BIN',
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** uid and gid of `nobody` from /etc/passwd: the mail user when we run as root. */
function nobody(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return { uid: Number(uid ?? 65534), gid: Number(gid ?? 65534) };
}

function groupName(gid: number): string {
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[2] === String(gid));
  return line?.split(':')[0] ?? String(gid);
}

function config(
  base: string,
  port: number,
  asRoot: boolean,
  mailUid: number,
  mailGid: number,
  fetchFailure: DovecotOptions['fetchFailure'],
): string {
  const me = userInfo().username;
  // Unprivileged: every service runs as us and nothing can chroot.
  const unprivileged = asRoot
    ? ''
    : `default_internal_user = ${me}
default_login_user = ${me}
default_internal_group = ${groupName(userInfo().gid)}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`;
  return `# Written by test/fakes/email/dovecot.ts for one test run.
base_dir = ${base}/run
state_dir = ${base}/state
instance_name = inbox-test-${port}
log_path = ${base}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try a wrong password on purpose; do not wait the default 2 s.
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:~/Maildir
mailbox_list_index = no
imap_fetch_failure = ${fetchFailure ?? 'disconnect-immediately'}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${base}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${base}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
${unprivileged}`;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startOnce(
  binary: string,
  users: { user: string; password: string }[],
  fetchFailure: DovecotOptions['fetchFailure'],
): Promise<{ child: ChildProcess; base: string; port: number }> {
  const asRoot = process.getuid?.() === 0;
  const base = mkdtempSync(join(tmpdir(), 'inbox-dovecot-'));
  // Dovecot's own users (dovecot, dovenull) and the mail user must be able to walk into it.
  chmodSync(base, 0o755);
  for (const dir of ['run', 'state', 'mail']) mkdirSync(join(base, dir));
  const mailOwner = asRoot ? nobody() : { uid: process.getuid!(), gid: process.getgid!() };
  // Dovecot refuses to give mail processes uid 0: as root the maildirs belong to nobody.
  if (asRoot) chownSync(join(base, 'mail'), mailOwner.uid, mailOwner.gid);
  writeFileSync(join(base, 'passwd'), users.map((u) => `${u.user}:{PLAIN}${u.password}`).join('\n') + '\n', {
    mode: 0o644,
  });
  const port = await freePort();
  writeFileSync(
    join(base, 'dovecot.conf'),
    config(base, port, asRoot, mailOwner.uid, mailOwner.gid, fetchFailure),
  );

  const child = spawn(binary, ['-F', '-c', join(base, 'dovecot.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));

  // Ready when a login works: the listener is up before the auth process is.
  const deadline = Date.now() + 15_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const client = await ImapWireClient.login('127.0.0.1', port, users[0].user, users[0].password);
      await client.logout();
      return { child, base, port };
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGTERM');
  await waitExit(child, 5000);
  let log = '';
  try {
    log = readFileSync(join(base, 'dovecot.log'), 'utf8');
  } catch {
    // no log written
  }
  rmSync(base, { recursive: true, force: true });
  throw new Error(
    `dovecot did not start on 127.0.0.1:${port}: ${String(lastError)}\n${output}\n${log}`.slice(0, 4000),
  );
}

export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotInstance> {
  const binary = dovecotBinary();
  const users = options.users ?? [
    { user: 'obr', password: randomBytes(9).toString('base64url') },
    { user: 'other', password: randomBytes(9).toString('base64url') },
  ];
  let started: Awaited<ReturnType<typeof startOnce>> | undefined;
  let lastError: unknown;
  // The free port may be taken between our probe and dovecot's bind: try again on a new one.
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    try {
      started = await startOnce(binary, users, options.fetchFailure);
    } catch (error) {
      lastError = error;
    }
  }
  if (!started) throw lastError;
  const { child, base, port } = started;

  const session = async <T>(user: string, work: (c: ImapWireClient) => Promise<T>): Promise<T> => {
    const account = users.find((u) => u.user === user);
    if (!account) throw new Error(`no such dovecot test user: ${user}`);
    const client = await ImapWireClient.login('127.0.0.1', port, account.user, account.password);
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.destroy());
    }
  };

  // If the test process dies without calling stop(), do not leave a dovecot behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    users,
    baseDir: base,
    deliver: (user, rawMessage, mailbox = 'INBOX') =>
      session(user, (c) =>
        c.append(mailbox, Buffer.isBuffer(rawMessage) ? rawMessage : Buffer.from(rawMessage, 'utf8')),
      ),
    deliverUnreadable: async (user, rawMessage, mailbox = 'INBOX') => {
      const dir = join(base, 'mail', user, 'Maildir', mailbox === 'INBOX' ? '' : `.${mailbox}`, 'new');
      const body = Buffer.from(rawMessage, 'utf8');
      const file = join(
        dir,
        `${Math.floor(Date.now() / 1000)}.M${randomBytes(4).toString('hex')}P1.unreadable,S=${body.length + 500}`,
      );
      writeFileSync(file, body, { mode: 0o644 });
      const owner = statSync(dir);
      chownSync(file, owner.uid, owner.gid);
      // STATUS makes Dovecot look at the folder and number the new file before anything else arrives.
      await session(user, (c) => c.command(`STATUS ${ImapWireClient.quote(mailbox)} (MESSAGES)`));
    },
    createMailbox: (user, mailbox) =>
      session(user, (c) => c.command(`CREATE ${ImapWireClient.quote(mailbox)}`).then(() => undefined)),
    recreateMailbox: (user, mailbox) =>
      session(user, async (c) => {
        await c.command(`DELETE ${ImapWireClient.quote(mailbox)}`);
        await c.command(`CREATE ${ImapWireClient.quote(mailbox)}`);
      }),
    uidValidity: (user, mailbox = 'INBOX') =>
      session(user, async (c) => {
        const lines = await c.command(`STATUS ${ImapWireClient.quote(mailbox)} (UIDVALIDITY)`);
        const match = lines.map((l) => /UIDVALIDITY (\d+)/.exec(l)).find(Boolean);
        if (!match) throw new Error('no UIDVALIDITY in STATUS');
        return Number(match[1]);
      }),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', killOnExit);
      child.kill('SIGTERM');
      if (!(await waitExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitExit(child, 2000);
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}
