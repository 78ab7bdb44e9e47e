import { type DovecotInstance, startDovecot } from '../fakes/email/dovecot';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { EMAIL_ENV, emailLetter, feedTools, mailHeader } from '../e2e/feed-helpers';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';

const OURS = 'obrashcheniya@region.test';
const LOCK_MS = 1000;
/**
 * An e-mail reply whose SMTP send was cut after the whole letter went out: the server may have it. The mailbox's
 * provider files every letter its SMTP server accepts into Sent (EMAIL_SMTP_SAVES_TO_SENT, as Yandex and Mail.ru
 * do), so the next attempt looks our Message-ID up there over IMAP (a real Dovecot) before anything else: found, the
 * reply is stored as sent and not sent again; absent, it was never accepted and goes out once. Nobody is asked.
 * Before the lookup a cut after the letter was a plain temporary error, and the retry sent the letter again.
 */
describe('an interrupted e-mail send, settled by the Sent folder (integration)', () => {
  let dovecot: DovecotInstance;
  let smtp: SmtpReceiver;
  let stack: TestStack;
  let tools: ReturnType<typeof feedTools>;

  beforeAll(async () => {
    dovecot = await startDovecot();
    smtp = await startSmtpReceiver();
    await dovecot.createMailbox(dovecot.users[0].user, 'Sent');
    stack = await startTestStack({
      worker: true,
      env: {
        ...EMAIL_ENV(dovecot, smtp, OURS),
        EMAIL_SMTP_SAVES_TO_SENT: 'true',
        // The cut attempt's claim runs out after two lock times; the lookup comes right after.
        QUEUE_LOCK_MS: String(LOCK_MS),
        PENDING_SWEEP_MS: '1000',
      },
    });
    tools = feedTools(stack);
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });
  beforeEach(() => {
    smtp.reset();
    smtp.onAccepted = (mail) => dovecot.deliver(dovecot.users[0].user, mail.raw, 'Sent');
  });

  const to = (address: string) => smtp.accepted().filter((m) => m.to.includes(address));
  const noticeRow = async (appealId: string) =>
    (
      (await stack.db.dataSource.query(
        `SELECT id, status, remote_id AS "remoteId", send_interrupted_at IS NOT NULL AS interrupted, attempts
           FROM outbound_messages WHERE appeal_id = $1`,
        [appealId],
      )) as { id: string; status: string; remoteId: string | null; interrupted: boolean; attempts: number }[]
    )[0];

  /** A citizen writes; the 547-ФЗ notice answering the letter is the send under test. Resolves once it is settled. */
  async function noticeAfterCut(citizen: string, scenario: 'drop-after-data' | 'lost-in-data') {
    const id = `cut.${scenario}.${Date.now()}@mail.example`;
    smtp.setScenario(scenario);
    // The first attempt is cut; every later one is answered.
    const seen = smtp.received.length;
    const cut = eventually(
      async () => {
        if (smtp.received.length === seen) return undefined;
        smtp.setScenario('ok');
        return true;
      },
      60_000,
      10,
    );
    await dovecot.deliver(
      dovecot.users[0].user,
      emailLetter(OURS, {
        id,
        from: citizen,
        subject: 'Освещение',
        body: 'Прошу починить освещение во дворе.',
      }),
    );
    expect(await tools.pull('email')).toMatchObject({ items: 1 });
    const appeal = await tools.appeal('email', id);
    await cut;
    const row = await eventually(async () => {
      const r = await noticeRow(appeal.id);
      return r && r.status !== 'queued' ? r : undefined;
    }, 60_000);
    return { appeal, row };
  }

  it('finds the cut letter in Sent: stored as sent with our Message-ID, and the citizen has it once', async () => {
    const citizen = 'petrov@mail.example';
    const { row } = await noticeAfterCut(citizen, 'drop-after-data');
    expect(row).toMatchObject({ status: 'sent', interrupted: false });
    // A moment more (past another claim's time and a sweep): nothing goes out again.
    await new Promise((r) => setTimeout(r, 3 * LOCK_MS));
    expect(to(citizen)).toHaveLength(1);
    expect(row.remoteId).toBe(mailHeader(to(citizen)[0], 'Message-ID')!.replace(/[<>]/g, ''));
  }, 120_000);

  it('a letter the server died with is not in Sent: sent once more, by itself', async () => {
    const citizen = 'sidorova@mail.example';
    const { row } = await noticeAfterCut(citizen, 'lost-in-data');
    expect(row).toMatchObject({ status: 'sent', interrupted: false });
    expect(smtp.received.filter((m) => m.to.includes(citizen)).map((m) => m.accepted)).toEqual([false, true]);
    expect(row.attempts).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
