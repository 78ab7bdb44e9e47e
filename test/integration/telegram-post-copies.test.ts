import { JsonLogger } from '@inbox/common';
import { accountStateOf, ChannelAccountsRepository } from '@inbox/channels';
import { Channel, type ChannelAccountRef, type ParseResult } from '@inbox/integrations/contract';
import { SECRET_HEADER, TelegramConnector } from '@inbox/integrations/telegram';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const SECRET = 'wh_Secret-2025';
const GROUP = -1001987654321;

/**
 * A reply to a neighbour's comment under a channel post names the post only by its copy's id in the discussion
 * group (`message_thread_id`). The connector knew the copies only in its own memory: after a restart, or with the
 * webhook served by another api process, such a reply was skipped as a plain reply chain. It keeps them in the
 * account's state (channel_account_state) now, which every process reads.
 */
describe('Telegram post copies, kept in the account state (integration)', () => {
  let fake: TelegramFake;
  let db: TestDatabase;
  let repository: ChannelAccountsRepository;
  let accountId = '';
  const fresh = () => new TelegramConnector(new JsonLogger('telegram-test', 'error'));
  const account = (): ChannelAccountRef => ({
    id: accountId,
    channel: Channel.Telegram,
    settings: { apiRoot: fake.apiRoot, pollTimeoutSeconds: 1, requestTimeoutMs: 5000, channelComments: true },
    secrets: { botToken: fake.token, webhookSecret: SECRET },
    state: accountStateOf(repository, accountId),
  });

  beforeAll(async () => {
    [fake, db] = await Promise.all([TelegramFake.start(), createTestDatabase()]);
    repository = new ChannelAccountsRepository(db.dataSource);
    const [row] = (await db.dataSource.query(
      `INSERT INTO channel_accounts (kind, channel, name, settings, source)
       VALUES ('telegram', 'telegram', 'post-copies', '{}', 'admin') RETURNING id`,
    )) as { id: string }[];
    accountId = row.id;
  });
  afterAll(async () => {
    await Promise.all([fake?.stop(), db?.drop()]);
  });
  beforeEach(() => fake.reset());

  it("registers a reply to a neighbour's comment read by a fresh connector (a restart), long-polled", async () => {
    const { copy, comment, reply, thread } = fake.postThread();
    fake.enqueue(copy);
    fake.enqueue(comment);
    const before = await fresh().pull(account(), null, 50);
    expect(before.items.map((i) => i.thread?.key)).toEqual([`comments:${GROUP}:${thread}/from:502003021`]);

    // The process restarted: a new connector, nothing in its memory.
    fake.enqueue(reply);
    const after = await fresh().pull(account(), before.nextCursor, 50);
    expect(after.items.map((i) => i.thread?.key)).toEqual([`comments:${GROUP}:${thread}/from:502003022`]);
    expect(after.items[0].text).toMatch(
      /^Комментарий к посту канала «Администрация района» https:\/\/t.me\/adm_rayona\/845/,
    );
    expect(after.items[0].text).toContain('В ответ на комментарий: «Ул. Лесная, 3');

    // Another account (another bot) has not seen that post: its reply chain stays out.
    fake.enqueue(reply);
    const other = {
      ...account(),
      id: 'tg-other',
      state: { get: async () => undefined, set: async () => {} },
    };
    expect((await fresh().pull(other, after.nextCursor, 50)).items).toEqual([]);
  });

  it('registers it over the webhook in another process than the one the copy came to', async () => {
    const { copy, reply, thread } = fake.postThread();
    const push = (connector: TelegramConnector, update: unknown) =>
      connector.parseInbound(account(), {
        headers: { [SECRET_HEADER]: SECRET },
        body: Buffer.from(JSON.stringify(update)),
      }) as Promise<ParseResult & { kind: 'items' }>;
    expect((await push(fresh(), copy)).items).toEqual([]);
    const [item] = (await push(fresh(), reply)).items;
    expect(item).toMatchObject({
      thread: { key: `comments:${GROUP}:${thread}/from:502003022` },
      replyAddress: { chatId: GROUP, public: true },
    });
  });

  it('looks a thread that is no known post up once a minute, not at every reply; its copy coming ends that', async () => {
    const { copy, reply, thread } = fake.postThread();
    let lookups = 0;
    const real = account();
    const counted: ChannelAccountRef = {
      ...real,
      state: {
        get: (key) => ((lookups += 1), real.state!.get(key)),
        set: (key, value) => real.state!.set(key, value),
      },
    };
    let now = Date.parse('2026-01-10T09:00:00Z');
    const connector = new TelegramConnector(new JsonLogger('telegram-test', 'error'), () => now);
    // Replies in a thread whose post the bot has not seen (a plain reply chain of the group): one lookup.
    for (let i = 0; i < 3; i++) fake.enqueue(reply);
    const first = await connector.pull(counted, null, 50);
    expect(first.items).toEqual([]);
    expect(lookups).toBe(1);
    // A minute on, the state is asked again (another process may have seen the copy meanwhile).
    now += 61_000;
    fake.enqueue(reply);
    const second = await connector.pull(counted, first.nextCursor, 50);
    expect(second.items).toEqual([]);
    expect(lookups).toBe(2);
    // The thread's copy comes here after all: the next reply is its comment at once, with no lookup.
    fake.enqueue(copy);
    fake.enqueue(reply);
    const third = await connector.pull(counted, second.nextCursor, 50);
    expect(third.items.map((i) => i.thread?.key)).toEqual([`comments:${GROUP}:${thread}/from:502003022`]);
    expect(lookups).toBe(2);
  });

  it("keeps the newest keys of an account's state", async () => {
    const state = (key: string) => repository.stateValue(accountId, key);
    await repository.keepState(accountId, 'a', '1', 2);
    await repository.keepState(accountId, 'b', '2', 2);
    await repository.keepState(accountId, 'a', '3', 2);
    await repository.keepState(accountId, 'c', '4', 2);
    expect([await state('a'), await state('b'), await state('c')]).toEqual(['3', undefined, '4']);
  });
});
