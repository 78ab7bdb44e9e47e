import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startDovecot } from '../test/fakes/email/dovecot';
import { EMAIL_ENV } from '../test/fakes/email/email-env';
import { startSmtpReceiver } from '../test/fakes/email/smtp-receiver';
import { OkFake } from '../test/fakes/ok/ok-fake';
import { TelegramFake } from '../test/fakes/telegram/telegram-fake';
import { VkFake } from '../test/fakes/vk/vk-fake';

/** The МЭДО participant the bench's region is: a GUID, as the gateway's registry gives it. */
export const BENCH_MEDO_UID = '6f1c2e3a-4b5d-4e6f-8a7b-9c0d1e2f3a4b';

/**
 * The channel accounts a region has, pointed at fakes of the services' wire protocols (test/fakes): a
 * Telegram bot, a VK community (callback mode), an OK group (webhook mode), a МЭДО exchange folder and a mailbox
 * (a private Dovecot for IMAP, an SMTP receiver for outgoing letters). The notices the ingest owes (messenger
 * registration notices, МЭДО receipts, e-mail registration notices since 3312683) then go out and are recorded as
 * sent, as in a region, instead of failing at once for want of an account. The fakes run in a process of
 * their own: the outside world, whose CPU the bench does not count as the product's.
 */
export interface ChannelFakes {
  env: Record<string, string>;
  pid?: number;
  stop(): Promise<void>;
}

/** Starts `channel-fakes.js` (this file's main) and reads the workers' environment from its first line. */
export async function startChannelFakes(): Promise<ChannelFakes> {
  const child: ChildProcess = spawn(process.execPath, [__filename], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`channel fakes exited with code ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, string>));
  });
  return {
    env,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The fakes started in this process, with the environment that gives the workers their accounts; `stop` closes
 * them and removes the exchange folder.
 */
export async function channelFakesHere(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const telegram = await TelegramFake.start();
  const vk = await new VkFake().start();
  const ok = await new OkFake().start();
  const dovecot = await startDovecot();
  const smtp = await startSmtpReceiver();
  const medo = mkdtempSync(join(tmpdir(), 'bench-medo-'));
  for (const dir of ['in', 'out', 'quarantine', 'processed']) mkdirSync(join(medo, dir));
  const env: Record<string, string> = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_POLL_TIMEOUT_SECONDS: '25',
    ...vk.env,
    ...ok.env,
    MEDO_INBOUND_DIR: join(medo, 'in'),
    MEDO_OUTBOUND_DIR: join(medo, 'out'),
    MEDO_QUARANTINE_DIR: join(medo, 'quarantine'),
    MEDO_PROCESSED_DIR: join(medo, 'processed'),
    MEDO_PARTICIPANT_UID: BENCH_MEDO_UID,
    MEDO_SETTLE_MS: '0',
    MEDO_PULL_EVERY_MS: '3600000',
    ...EMAIL_ENV(dovecot, smtp, 'obr@region.example'),
  };
  // The fakes keep every call for a test's asserts; the bench only needs them answered.
  const forget = setInterval(() => {
    telegram.sent.length = 0;
    telegram.calls.length = 0;
    vk.calls.length = 0;
    vk.messages.length = 0;
    vk.sendAttempts.length = 0;
    ok.calls.length = 0;
    ok.messages.length = 0;
    smtp.reset();
  }, 5000);
  return {
    env,
    stop: async () => {
      clearInterval(forget);
      await Promise.all([telegram.stop(), vk.stop(), ok.stop(), dovecot.stop(), smtp.stop()]);
      rmSync(medo, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const fakes = await channelFakesHere();
  process.stdout.write(`${JSON.stringify(fakes.env)}\n`);
  process.once('SIGTERM', () => void fakes.stop().finally(() => process.exit(0)));
}

if (require.main === module) void main();
