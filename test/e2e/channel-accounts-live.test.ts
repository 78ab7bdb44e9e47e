import { Role } from '@inbox/access';
import { type ChannelEntry, ChannelIntake, ChannelRegistry } from '@inbox/channels';
import { signInAs, type SignedIn } from '../factories/staff';
import { PosFake } from '../fakes/pos/pos-fake';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import { answerAppeal } from './feed-helpers';

const KEY = 'e2e-channel-secrets-key-0123456789abcdef';
/** How often each process reads the accounts again (CHANNEL_ACCOUNTS_REFRESH_MS; 5 s by default). */
const REFRESH_MS = 1000;

interface Account {
  id: string;
  enabled: boolean;
  working: boolean;
  webhookPath: string | null;
}

/**
 * Issue 13, Build 1: an account an administrator adds, changes or disables while the system runs takes effect
 * without a restart. The environment gives one Telegram bot; a second (long polling) and a third (webhook) are
 * added over the API with the api and worker running. Each is set up at its own fake Bot API (deleteWebhook and
 * getUpdates, or setWebhook with its address and secret), a citizen's messages to it become an appeal, and what
 * the bot says back leaves through that bot's token only. A ПОС account added where none was configured has its
 * rubricator mirrored at once. Disabled, a bot is polled no more, and an answer to its appeal waits with the reason
 * on it — never sent through the other bot — until it is enabled again, and a message that came just before it was
 * disabled is admitted (its consent request sent) only then.
 */
describe('channel accounts changed while the system runs (e2e)', () => {
  let envBot: TelegramFake;
  let districtBot: TelegramFake;
  let hookBot: TelegramFake;
  let stack: TestStack;
  let admin: SignedIn;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let district: Account;
  let districtEntry: ChannelEntry | undefined;
  let districtAppeal = '';
  let hookAccount: Account;
  const chat = 710_000_001;

  beforeAll(async () => {
    [envBot, districtBot, hookBot] = await Promise.all([
      TelegramFake.start(),
      TelegramFake.start(),
      TelegramFake.start(),
    ]);
    stack = await startTestStack({
      worker: true,
      env: {
        CHANNEL_SECRETS_KEY: KEY,
        CHANNEL_ACCOUNTS_REFRESH_MS: String(REFRESH_MS),
        ...envBot.pollingEnv(),
      },
    });
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'region');
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
    // The worker's history consumers are registered: the appeals' notices are not missed.
    await eventually(async () => {
      const rows = await query(`SELECT 1 FROM event_consumers WHERE name = 'citizen-notices:telegram'`);
      return rows.length ? true : undefined;
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([envBot?.stop(), districtBot?.stop(), hookBot?.stop()]);
  });

  const query = (sql: string, params: unknown[] = []) =>
    stack.db.dataSource.query(sql, params) as Promise<Record<string, unknown>[]>;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.baseUrl}/api/v1/channel-accounts${path}`, {
      method,
      headers: admin.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const said = (bot: TelegramFake, chatId: number, match: (text: string) => boolean) =>
    eventually(async () => bot.sentTo(chatId).find((m) => m.text !== undefined && match(m.text)), 30_000);
  /** /start, consent, a message: the appeal the bot registers, with the account its item came to. */
  const appealThrough = async (bot: TelegramFake, chatId: number, text: string, push = false) => {
    const send = async (update: Record<string, unknown>) => {
      if (!push) return void bot.enqueue(update);
      expect((await bot.pushToWebhook(update)).status).toBe(200);
    };
    await send(bot.textUpdate(chatId, '/start'));
    const greeting = await said(bot, chatId, (t) => t.includes('152-ФЗ'));
    await send(bot.callbackUpdate(chatId, 'consent:accept', greeting.messageId));
    await said(bot, chatId, (t) => t.startsWith('Спасибо, согласие получено'));
    await send(bot.textUpdate(chatId, text));
    const [appeal] = await eventually(async () => {
      const rows = await query(
        `SELECT a.id, a.registration_number AS number, i.account_id FROM appeals a
           JOIN inbound_items i ON i.id = a.inbound_item_id WHERE a.channel = 'telegram' AND a.text = $1`,
        [text],
      );
      return rows.length ? rows : undefined;
    }, 30_000);
    await said(bot, chatId, (t) => t.startsWith(`Обращение зарегистрировано, № ${String(appeal.number)}`));
    return appeal as { id: string; number: string; account_id: string };
  };

  it('sets up a bot added by the administrator while running, and answers through its own token', async () => {
    expect(districtBot.calls).toEqual([]);
    const res = await api('POST', '', {
      kind: 'telegram',
      name: 'Бот администрации района',
      settings: { apiRoot: districtBot.apiRoot, pollTimeoutSeconds: 1 },
      secrets: { botToken: districtBot.token },
    });
    expect(res.status).toBe(201);
    district = (await res.json()) as Account;
    expect(district).toMatchObject({ enabled: true, working: true });

    // No restart: the worker removes any webhook left behind and long-polls the new bot.
    await eventually(async () =>
      districtBot.callsOf('deleteWebhook').length > 0 && districtBot.callsOf('getUpdates').length > 0
        ? true
        : undefined,
    );
    const appeal = await appealThrough(
      districtBot,
      chat,
      'В посёлке Светлом с понедельника не работает уличное освещение на улице Садовой.',
    );
    districtAppeal = appeal.id;
    expect(appeal.account_id).toBe(district.id);
    districtEntry = stack.worker!.get(ChannelRegistry).byId(district.id);
    // Everything the citizen heard came from the bot they wrote to.
    expect(envBot.sentTo(chat)).toEqual([]);
    expect(envBot.callsOf('getUpdates').length).toBeGreaterThan(0);
  });

  it('registers the webhook of a bot given its address while running, and answers what comes to it', async () => {
    const secret = 'hook-bot-secret_1';
    const created = await api('POST', '', {
      kind: 'telegram',
      name: 'Бот министерства',
      settings: { apiRoot: hookBot.apiRoot, mode: 'webhook' },
      secrets: { botToken: hookBot.token, webhookSecret: secret },
    });
    expect(created.status).toBe(201);
    const account = (await created.json()) as Account;
    hookAccount = account;
    // The address names the account, so the administrator sets it once the account exists: a change, read again.
    const url = `${stack.baseUrl}${account.webhookPath}`;
    const changed = await api('PATCH', `/${account.id}`, {
      settings: { apiRoot: hookBot.apiRoot, mode: 'webhook', webhookUrl: url },
    });
    expect(changed.status).toBe(200);
    await eventually(async () => (hookBot.webhook?.url === url ? true : undefined));
    expect(hookBot.webhook?.secretToken).toBe(secret);
    // A webhook bot is not polled.
    expect(hookBot.callsOf('getUpdates')).toEqual([]);

    const appeal = await appealThrough(
      hookBot,
      chat + 1,
      'Прошу проверить начисления за капитальный ремонт по дому 12 на улице Мира.',
      true,
    );
    expect(appeal.account_id).toBe(account.id);
    expect([...envBot.sentTo(chat + 1), ...districtBot.sentTo(chat + 1)]).toEqual([]);

    // Disabled, the bot loses its webhook (issue 13): Telegram would otherwise keep retrying against our 404.
    const deletes = hookBot.callsOf('deleteWebhook').length;
    expect((await api('POST', `/${account.id}/disable`)).status).toBe(200);
    await eventually(async () => (hookBot.webhook === null ? true : undefined));
    expect(hookBot.callsOf('deleteWebhook').length).toBe(deletes + 1);
    // Enabled again, it gets its webhook back (Telegram then delivers what waited), still not polled.
    expect((await api('POST', `/${account.id}/enable`)).status).toBe(200);
    await eventually(async () => (hookBot.webhook?.url === url ? true : undefined));
    expect(hookBot.webhook?.secretToken).toBe(secret);
    expect(hookBot.callsOf('getUpdates')).toEqual([]);
  });

  it('removes the webhook of a bot disabled while the worker was stopped, when the worker starts', async () => {
    expect(hookBot.webhook).not.toBeNull();
    await stack.stopWorker();
    // The api alone does not call Telegram: the webhook stays while the worker is down.
    expect((await api('POST', `/${hookAccount.id}/disable`)).status).toBe(200);
    const deletes = hookBot.callsOf('deleteWebhook').length;
    expect(hookBot.webhook).not.toBeNull();
    await stack.startWorker();
    await eventually(async () => (hookBot.webhook === null ? true : undefined));
    expect(hookBot.callsOf('deleteWebhook').length).toBe(deletes + 1);
    // Once per start, not on every re-read of the accounts.
    await new Promise((r) => setTimeout(r, 3 * REFRESH_MS));
    expect(hookBot.callsOf('deleteWebhook').length).toBe(deletes + 1);
    expect(hookBot.callsOf('getUpdates')).toEqual([]);
  });

  it('mirrors the rubricator of a ПОС account added while none was configured, at once', async () => {
    const pos = new PosFake();
    await pos.start();
    try {
      const created = await api('POST', '', {
        kind: 'pos',
        name: 'ПОС',
        settings: {
          baseUrl: pos.baseUrl,
          regionId: String(pos.regionId),
          opaIds: ['220511'],
          timeoutMs: 5000,
          pullEveryMs: 3_600_000,
        },
        secrets: pos.credentials,
      });
      expect(created.status).toBe(201);
      // Not six hours later, nor at the next restart: as soon as the worker has read the account.
      const mirrored = await eventually(async () => {
        const rows = await query(`SELECT external_id FROM channel_categories WHERE channel = 'pos'`);
        return rows.length ? rows : undefined;
      });
      expect(mirrored).toEqual(expect.arrayContaining([{ external_id: 'subject:102' }]));
    } finally {
      await pos.stop();
    }
  });

  it('stops a disabled bot; its answer waits, visibly, and leaves through it once it is enabled again', async () => {
    const disabled = await api('POST', `/${district.id}/disable`);
    expect(disabled.status).toBe(200);
    // Polled no more: the worker's timer for it ends within one re-read of the accounts (and a poll under way).
    await new Promise((r) => setTimeout(r, REFRESH_MS + 4000));
    const polls = districtBot.callsOf('getUpdates').length;
    await new Promise((r) => setTimeout(r, 3000));
    expect(districtBot.callsOf('getUpdates').length).toBe(polls);

    // A message that came just before the account was disabled: not admitted, so no consent request leaves through
    // any bot while it is off.
    const late = districtBot.textUpdate(chat + 2, 'Подскажите, куда писать о яме во дворе дома 3?');
    districtBot.enqueue(late);
    const pulled = await districtEntry!.connector.pull!(districtEntry!.account, null, 100);
    await stack.worker!.get(ChannelIntake).storeItems(districtEntry!, pulled.items);
    await new Promise((r) => setTimeout(r, 3000));
    const [lateItem] = await query(
      `SELECT status FROM inbound_items WHERE account_id = $1 AND payload->>'text' LIKE 'Подскажите%'`,
      [district.id],
    );
    expect(lateItem.status).toBe('gated');

    const take = await fetch(`${stack.baseUrl}/api/v1/appeals/${districtAppeal}/take`, {
      method: 'POST',
      headers: operator.headers,
    });
    expect(take.status).toBe(204);
    const text = 'Освещение на улице Садовой восстановлено, подрядчик заменил кабель.';
    await answerAppeal(stack, districtAppeal, operator, supervisor, text);
    const waiting = await eventually(async () => {
      const [row] = await query(
        `SELECT status, last_error FROM outbound_messages WHERE appeal_id = $1 AND kind = 'answer'`,
        [districtAppeal],
      );
      return typeof row?.last_error === 'string' ? row : undefined;
    });
    expect(waiting.status).not.toBe('sent');
    expect(waiting.last_error).toContain('учётная запись отключена администратором');
    // Not sent through another bot either.
    expect([...envBot.sentTo(chat), ...hookBot.sentTo(chat)]).toEqual([]);
    expect([
      ...envBot.sentTo(chat + 2),
      ...hookBot.sentTo(chat + 2),
      ...districtBot.sentTo(chat + 2),
    ]).toEqual([]);
    expect(districtBot.sentTo(chat).some((m) => m.text === text)).toBe(false);

    const enabled = await api('POST', `/${district.id}/enable`);
    expect(((await enabled.json()) as Account).working).toBe(true);
    await said(districtBot, chat, (t) => t.startsWith(text));
    // The held message is admitted now: its consent request comes from the bot it was written to.
    await said(districtBot, chat + 2, (t) => t.includes('152-ФЗ'));
    // The fake has the message once the bot API was called; the row is marked sent after that call returns.
    const sent = await eventually(async () => {
      const [row] = await query(
        `SELECT status FROM outbound_messages WHERE appeal_id = $1 AND kind = 'answer'`,
        [districtAppeal],
      );
      return row?.status === 'sent' ? row : undefined;
    });
    expect(sent.status).toBe('sent');
    // And it is polled again.
    const before = districtBot.callsOf('getUpdates').length;
    await eventually(async () => (districtBot.callsOf('getUpdates').length > before ? true : undefined));
    expect(await json(api('GET', ''))).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: district.id, enabled: true, working: true })]),
    );
  });
});
