import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Role } from '@inbox/access';
import { CONSENT_NOTICE_VERSION } from '@inbox/bot';
import { INTERRUPTED_REASON, interruptedPartsReason } from '@inbox/delivery';
import { JobProducer, QueueName } from '@inbox/queue';
import { signInAs, type SignedIn } from '../factories/staff';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';

const WORKER = join(__dirname, '..', '..', 'dist', 'apps', 'worker', 'src', 'main.js');
const REGISTERED = 'Обращение зарегистрировано';
const LOCK_MS = 2000;

interface FailedRow {
  id: string;
  appealId: string;
  kind: string;
  interrupted: boolean;
  lastError: string | null;
  partsSent: number;
  partsTotal: number | null;
}

/**
 * The at-least-once window of a send: Telegram has accepted the registration notice, and the worker is killed
 * (kill -9, as the process) before the receipt is written. The next worker finds the attempt started and never
 * ended; Telegram can neither say whether the chat has the message nor drop a repeat, so the notice is not sent
 * again: it waits in «Недоставленные» with the reason, and a person marks it delivered or resends it. Before the
 * fix the next worker sent it a second time.
 */
describe('a send interrupted between the channel and the receipt (integration)', () => {
  let fake: TelegramFake;
  let stack: TestStack;
  let operator: SignedIn;
  let worker: ChildProcess | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(WORKER))
      throw new Error(`${WORKER} is missing: run "npm run build" first (npm test does)`);
    fake = await TelegramFake.start();
    stack = await startTestStack({
      env: {
        ...fake.pollingEnv(),
        // The dead worker's job is handed over after a lock's time; its claim runs out after two.
        QUEUE_LOCK_MS: String(LOCK_MS),
        PENDING_SWEEP_MS: '1000',
      },
    });
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stack?.close();
    await fake?.stop();
  });

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [WORKER], {
      env: { ...process.env, ...stack.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    worker = child;
    return child;
  }

  async function killWorker(): Promise<void> {
    const child = worker;
    worker = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  const notices = (chat: number) => fake.sentTo(chat).filter((m) => m.text?.startsWith(REGISTERED));
  const noticeRow = async (chat: number) =>
    (
      (await stack.db.dataSource.query(
        `SELECT m.id, m.appeal_id, m.status, m.send_interrupted_at IS NOT NULL AS interrupted
           FROM outbound_messages m JOIN inbound_items i ON i.appeal_id = m.appeal_id
          WHERE i.channel = 'telegram' AND m.kind = 'registration-notice' AND i.external_id LIKE $1`,
        [`${chat}:%`],
      )) as { id: string; appeal_id: string; status: string; interrupted: boolean }[]
    )[0];
  const failed = async (): Promise<FailedRow[]> =>
    (await json(
      fetch(`${stack.baseUrl}/api/v1/deliveries/failed`, { headers: operator.headers }),
    )) as FailedRow[];
  const action = (what: 'retry' | 'mark-delivered', appealId: string, messageId: string) =>
    fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}/deliveries/${messageId}/${what}`, {
      method: 'POST',
      headers: operator.headers,
    });

  /**
   * A citizen writes; the worker is killed the moment Telegram has accepted the registration notice and before
   * the answer reaches it; a new worker starts. Resolves with the notice's row once it is held.
   */
  async function interruptedNotice(chat: number, text: string) {
    await stack.db.dataSource.query(
      `INSERT INTO channel_consents (channel, author_external_id, notice_version) VALUES ('telegram', $1, $2)`,
      [String(chat), CONSENT_NOTICE_VERSION],
    );
    let killed: Promise<void> | undefined;
    fake.beforeAnswering = async (method, params) => {
      const body = typeof params.text === 'string' ? params.text : '';
      if (killed || method !== 'sendMessage' || String(params.chat_id) !== String(chat)) return;
      if (!body.startsWith(REGISTERED)) return;
      killed = killWorker();
      await killed;
    };
    startWorker();
    fake.enqueue(fake.textUpdate(chat, text));
    await eventually(async () => (killed ? true : undefined), 90_000);
    await killed;
    fake.beforeAnswering = undefined;
    expect(notices(chat)).toHaveLength(1);
    startWorker();
    return eventually(async () => {
      const row = await noticeRow(chat);
      return row?.status !== 'queued' ? row : undefined;
    }, 90_000);
  }

  it('holds the notice for a person instead of sending it twice; marked delivered, it stays sent once', async () => {
    const chat = 700_400_001;
    const row = await interruptedNotice(
      chat,
      'Во дворе дома 7 по улице Мира не вывозят мусор третью неделю.',
    );
    // A moment more (past another claim's time and a sweep): nothing is sent again by itself.
    await new Promise((r) => setTimeout(r, 3 * LOCK_MS));
    expect(notices(chat)).toHaveLength(1);
    expect(row).toMatchObject({ status: 'failed', interrupted: true });

    const held = (await failed()).find((m) => m.id === row.id);
    expect(held).toMatchObject({
      kind: 'registration-notice',
      interrupted: true,
      lastError: INTERRUPTED_REASON,
    });
    expect((await action('mark-delivered', row.appeal_id, row.id)).status).toBe(204);
    expect((await noticeRow(chat)).status).toBe('sent');
    expect((await failed()).map((m) => m.id)).not.toContain(row.id);
    const [delivered] = (await stack.db.dataSource.query(
      `SELECT actor, data FROM appeal_events WHERE appeal_id = $1 AND type = 'delivered'`,
      [row.appeal_id],
    )) as { actor: string; data: Record<string, unknown> }[];
    expect(delivered).toMatchObject({ actor: operator.userId, data: { outboundMessageId: row.id } });
    // Only an interrupted send may be marked delivered: a second mark is "not found".
    expect((await action('mark-delivered', row.appeal_id, row.id)).status).toBe(404);
    expect(notices(chat)).toHaveLength(1);
    await killWorker();
  }, 240_000);

  /**
   * The resend waits out Telegram's 429 (4 s) in a delayed job, past several sweeps that find the message queued (its
   * row made long ago): each sweep queues it under the job id the clerk's retry used, which the waiting job holds, so
   * none starts a second run of it beside the first. The clerk's job had an id of its own (the time of the click),
   * and each sweep's job ran the message again.
   */
  it('resends a held notice once when the person decides so, in one job whatever the sweeps', async () => {
    const chat = 700_400_002;
    const row = await interruptedNotice(chat, 'На остановке у дома 12 по улице Гагарина разбито стекло.');
    expect(row).toMatchObject({ status: 'failed', interrupted: true });
    fake.setScenario('rate-limited', { count: 1, retryAfter: 4, methods: ['sendMessage'] });
    const retriedAt = Date.now();
    expect((await action('retry', row.appeal_id, row.id)).status).toBe(204);
    await eventually(async () => ((await noticeRow(chat)).status === 'sent' ? true : undefined), 60_000);
    expect(notices(chat)).toHaveLength(2);
    // The sweeps ran meanwhile (every second); the telegram queue ran the resend in one job.
    const queue = stack.api.get(JobProducer).queue(QueueName.DeliveryTelegram);
    const jobs = (await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).filter(
      (job) => job.data?.outboundMessageId === row.id && job.timestamp >= retriedAt,
    );
    expect(jobs.map((job) => job.id)).toHaveLength(1);
    await killWorker();
  }, 240_000);

  /**
   * A long answer goes as two messages, each on record before the next goes. The worker is killed while Telegram
   * takes the second: the first is surely the citizen's, the second may be. Held for a person saying so; «Повторить»
   * sends from the second part on — the first never again (a retry of the whole sent it twice).
   */
  it('holds an answer interrupted between its parts saying what went out, and «Повторить» sends only the rest', async () => {
    const chat = 700_400_003;
    await stack.db.dataSource.query(
      `INSERT INTO channel_consents (channel, author_external_id, notice_version) VALUES ('telegram', $1, $2)`,
      [String(chat), CONSENT_NOTICE_VERSION],
    );
    startWorker();
    fake.enqueue(fake.textUpdate(chat, 'У дома 3 по улице Лесной провалился асфальт, яма глубокая.'));
    const { appeal_id: appealId } = await eventually(async () => {
      const row = await noticeRow(chat);
      return row?.status === 'sent' ? row : undefined;
    }, 90_000);
    const supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
    const post = (path: string, who: SignedIn, body: unknown = {}) =>
      fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}${path}`, {
        method: 'POST',
        headers: who.headers,
        body: JSON.stringify(body),
      });
    const opening = 'Яма у дома 3 по улице Лесной заделана.';
    // Past Telegram's 4096 characters: two messages.
    const text = `${opening} ${'Работы выполнены подрядчиком в срок, качество принято комиссией. '.repeat(80)}`;
    const parts = () => {
      const sent = fake.sentTo(chat).filter((m) => m.method === 'sendMessage');
      const first = sent.findIndex((m) => m.text?.startsWith(opening));
      return first < 0 ? [] : sent.slice(first);
    };
    let killed: Promise<void> | undefined;
    fake.beforeAnswering = async (method, params) => {
      if (killed || method !== 'sendMessage' || String(params.chat_id) !== String(chat)) return;
      if (String(params.text).startsWith(opening) || parts().length < 2) return;
      killed = killWorker();
      await killed;
    };
    expect((await post('/take', operator)).status).toBe(204);
    const draft = await json(post('/answers', operator, { text }));
    expect((await post(`/answers/${draft.id}/approve`, supervisor)).status).toBe(204);
    expect((await post(`/answers/${draft.id}/send`, operator)).status).toBe(204);
    await eventually(async () => (killed ? true : undefined), 90_000);
    await killed;
    fake.beforeAnswering = undefined;
    startWorker();
    const held = await eventually(
      async () => (await failed()).find((m) => m.appealId === appealId && m.kind === 'answer'),
      90_000,
    );
    expect(held).toMatchObject({
      interrupted: true,
      lastError: interruptedPartsReason(1, 2),
      partsSent: 1,
      partsTotal: 2,
    });
    expect(held.lastError).toContain('гражданину ушла часть 1 из 2, а 2-я могла дойти или нет');
    // Past another claim's time: nothing went again by itself.
    await new Promise((r) => setTimeout(r, 3 * LOCK_MS));
    expect(parts().map((m) => m.text?.slice(0, 20))).toHaveLength(2);

    expect((await action('retry', appealId, held.id)).status).toBe(204);
    const delivered = await eventually(async () => {
      const [row] = (await stack.db.dataSource.query(
        `SELECT e.data FROM appeal_events e WHERE e.appeal_id = $1 AND e.type = 'delivered'
            AND e.data->>'outboundMessageId' = $2`,
        [appealId, held.id],
      )) as { data: Record<string, unknown> }[];
      return row;
    }, 60_000);
    expect(delivered.data).toMatchObject({ resumed: { sent: 1, total: 2 } });
    // The first part once; the second, whose fate was unknown, again as the clerk decided.
    const sent = parts();
    expect(sent.filter((m) => m.text?.startsWith(opening))).toHaveLength(1);
    expect(sent).toHaveLength(3);
    expect(sent[2].text).toBe(sent[1].text);
    await killWorker();
  }, 300_000);
});
