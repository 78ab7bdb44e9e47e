import { AppConfig } from '@inbox/config';
import { Channel, type Connector, type ConnectorLoaders } from '@inbox/integrations/contract';
import { type ChannelAccountsRepository, type StoredAccount } from './channel-accounts.repository';
import { ChannelRegistry } from './channel-registry.service';
import { SecretBox } from './channel-secrets';

const KEY = 'test-channel-secrets-key-0123456789abcdef';

function row(id: string, fields: Partial<StoredAccount>): StoredAccount {
  return {
    id,
    kind: 'vk',
    channel: Channel.Vk,
    name: id,
    organisationId: null,
    source: 'admin',
    enabled: true,
    settings: { groupId: 1 },
    secretsEncrypted: null,
    secretEnv: {},
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...fields,
  };
}

/** A VK account whose token is read from the environment variable `variable`. */
const byEnv = (id: string, name: string, variable: string) =>
  row(id, { name, secretEnv: { groupToken: variable } });

/** The kinds whose connector module a registry of `registryOf` loaded, in order. */
let loaded: string[] = [];

/**
 * A registry over the administrators' accounts `rows()` gives (read again on each refresh), every one a VK stub;
 * the app also wires in Telegram, whose accounts those rows may add.
 */
async function registryOf(
  config: AppConfig,
  rows: () => StoredAccount[],
  stored: StoredAccount[] = [],
): Promise<ChannelRegistry> {
  const repository = {
    upsert: () => Promise.resolve('00000000-0000-4000-8000-000000000001'),
    adminAccounts: () => Promise.resolve(rows()),
    // Every stored row, the environment's too (`stored`: rows no administrator's list holds).
    account: (id: string) => Promise.resolve([...rows(), ...stored].find((r) => r.id === id)),
  } as unknown as ChannelAccountsRepository;
  const loader = (channel: Channel) => () => {
    loaded.push(channel);
    return Promise.resolve(() => ({ channel, mode: 'both' }) as unknown as Connector);
  };
  const registry = new ChannelRegistry(config, repository, {
    vk: loader(Channel.Vk),
    telegram: loader(Channel.Telegram),
  } as unknown as ConnectorLoaders);
  await registry.onModuleInit();
  return registry;
}

describe('ChannelRegistry: many accounts per kind', () => {
  const box = new SecretBox(KEY);
  let rows: StoredAccount[];
  let registry: ChannelRegistry;

  beforeEach(async () => {
    loaded = [];
    rows = [
      row('00000000-0000-4000-8000-000000000002', {
        name: 'district',
        secretsEncrypted: box.seal({ groupToken: 'district-token' }),
      }),
      byEnv('00000000-0000-4000-8000-000000000003', 'by-env', 'VK_THIRD_TOKEN'),
      byEnv('00000000-0000-4000-8000-000000000004', 'missing', 'VK_NOT_SET'),
      row('00000000-0000-4000-8000-000000000005', { name: 'off', enabled: false }),
    ];
    const config = new AppConfig({
      VK_GROUP_ID: '1',
      VK_GROUP_TOKEN: 'env-token',
      CHANNEL_SECRETS_KEY: KEY,
      VK_THIRD_TOKEN: 'third-token',
    });
    registry = await registryOf(config, () => rows);
  });

  it('builds one connector per account, secrets opened or read from the named variable', () => {
    expect(registry.ofKind('vk').map((e) => [e.name, e.account.secrets.groupToken])).toEqual([
      ['group-1', 'env-token'],
      ['district', 'district-token'],
      ['by-env', 'third-token'],
    ]);
    expect(registry.off().filter((o) => o.kind === 'vk')).toEqual([
      expect.objectContaining({ name: 'missing', reason: 'не задана переменная окружения VK_NOT_SET' }),
    ]);
  });

  it('delivers through the receiving account, else the kind default (the environment account)', () => {
    expect(registry.forDelivery('vk', '00000000-0000-4000-8000-000000000002')?.name).toBe('district');
    expect(registry.forDelivery('vk', null)?.name).toBe('group-1');
    // A disabled or broken account answers nothing, and nothing of its leaves through another community.
    expect(registry.forDelivery('vk', '00000000-0000-4000-8000-000000000005')).toBeUndefined();
    expect(registry.notWorking('00000000-0000-4000-8000-000000000005')).toBe(
      'учётная запись отключена администратором',
    );
    expect(registry.forDelivery('vk', '00000000-0000-4000-8000-000000000004')).toBeUndefined();
    expect(registry.notWorking('00000000-0000-4000-8000-000000000004')).toBe(
      'не задана переменная окружения VK_NOT_SET',
    );
    expect(registry.notWorking('00000000-0000-4000-8000-000000000002')).toBeUndefined();
    // An account of another kind never answers for this one.
    expect(registry.forDelivery('email', '00000000-0000-4000-8000-000000000002')).toBeUndefined();
  });

  it('never gives what came through a deleted or no longer configured account to the kind default', async () => {
    const stored = [
      // The environment's account of an earlier configuration: its variables are no longer set.
      row('00000000-0000-4000-8000-000000000021', { source: 'env', name: 'earlier-env' }),
      // A site feed's account of the environment, gone from it: its appeals are answered by e-mail, not through it.
      row('00000000-0000-4000-8000-000000000022', { source: 'env', kind: 'website-feed' }),
    ];
    const withStored = await registryOf(
      new AppConfig({ VK_GROUP_ID: '1', VK_GROUP_TOKEN: 'env-token', CHANNEL_SECRETS_KEY: KEY }),
      () => rows,
      stored,
    );
    const deleted = '00000000-0000-4000-8000-000000000020';
    expect(await withStored.deliveryAccount('vk', deleted)).toBeUndefined();
    expect(await withStored.accountOf('vk', deleted)).toBeUndefined();
    expect(withStored.removed(deleted)).toBe(true);
    expect(withStored.notWorking(deleted)).toBe(
      'учётная запись канала удалена: через другую учётную запись этого канала не отправляется',
    );
    expect(await withStored.deliveryAccount('vk', stored[0].id)).toBeUndefined();
    expect(withStored.removed(stored[0].id)).toBe(false);
    expect(withStored.notWorking(stored[0].id)).toBe(
      'учётная запись из переменных окружения больше не настроена',
    );
    // Another kind's account (the feed's) names no account of the answer's kind: the kind's default answers.
    expect((await withStored.accountOf('vk', stored[1].id))?.name).toBe('group-1');
    // Still refused after the accounts are read again.
    await withStored.refresh();
    expect(withStored.forDelivery('vk', deleted)).toBeUndefined();
    expect(withStored.forDelivery('vk', null)?.name).toBe('group-1');
  });

  it('drops a disabled account and builds a changed one again on refresh, telling its listeners', async () => {
    const changes: { added: string[]; removed: string[] }[] = [];
    registry.onChange(({ added, removed }) =>
      changes.push({ added: added.map((e) => e.name!), removed: removed.map((e) => e.name!) }),
    );
    const before = registry.byId('00000000-0000-4000-8000-000000000002');
    rows[0] = { ...rows[0], updatedAt: new Date(1000), name: 'district-renamed' };
    rows[1] = { ...rows[1], enabled: false };
    await registry.refresh();
    expect(registry.byId('00000000-0000-4000-8000-000000000002')).not.toBe(before);
    expect(registry.byId('00000000-0000-4000-8000-000000000002')?.name).toBe('district-renamed');
    expect(registry.byId('00000000-0000-4000-8000-000000000003')).toBeUndefined();
    expect(registry.forDelivery('vk', '00000000-0000-4000-8000-000000000003')).toBeUndefined();
    expect(changes).toEqual([{ added: ['district-renamed'], removed: ['district', 'by-env'] }]);

    // Enabled again: built, announced, and its answers go out through it.
    rows[1] = { ...rows[1], enabled: true, updatedAt: new Date(2000) };
    rows.push(byEnv('00000000-0000-4000-8000-000000000006', 'new', 'VK_THIRD_TOKEN'));
    await registry.refresh();
    expect(changes[1]).toEqual({ added: ['by-env', 'new'], removed: [] });
    expect(registry.forDelivery('vk', '00000000-0000-4000-8000-000000000003')?.name).toBe('by-env');
    expect(registry.notWorking('00000000-0000-4000-8000-000000000003')).toBeUndefined();
    // Nothing changed: nobody is told.
    await registry.refresh();
    expect(changes).toHaveLength(2);
  });

  it("loads a kind's connector module once, and only when an account of that kind is there", async () => {
    expect(loaded).toEqual(['vk']);
    rows.push(
      row('00000000-0000-4000-8000-000000000007', {
        kind: 'telegram',
        channel: Channel.Telegram,
        name: 'bot',
        enabled: false,
        secretsEncrypted: box.seal({ botToken: 'bot-token' }),
      }),
    );
    await registry.refresh();
    expect(loaded).toEqual(['vk']);
    // A disabled account is torn down: its connector is built for that, and only then.
    expect((await registry.disabledAccounts()).map((e) => e.account.channel)).toEqual([
      Channel.Vk,
      Channel.Telegram,
    ]);
    expect(loaded).toEqual(['vk', 'telegram']);
    rows[rows.length - 1] = { ...rows[rows.length - 1], enabled: true, updatedAt: new Date(3000) };
    await registry.refresh();
    expect(loaded).toEqual(['vk', 'telegram']);
  });

  it("names no system variable as a channel's secret: the token-signing key and the database stay home", async () => {
    const system = new AppConfig({
      CHANNEL_SECRETS_KEY: KEY,
      AUTH_TOKEN_SECRET: 'signing-key-of-the-staff-tokens-0123456789',
      DATABASE_URL: 'postgres://inbox:db-password@db/inbox',
      VK_THIRD_TOKEN: 'third-token',
    });
    const accounts = [
      byEnv('00000000-0000-4000-8000-000000000011', 'steals-key', 'AUTH_TOKEN_SECRET'),
      byEnv('00000000-0000-4000-8000-000000000012', 'steals-db', 'DATABASE_URL'),
      byEnv('00000000-0000-4000-8000-000000000013', 'by-env', 'VK_THIRD_TOKEN'),
    ];
    const guarded = await registryOf(system, () => accounts);
    expect(guarded.ofKind('vk').map((e) => [e.name, e.account.secrets.groupToken])).toEqual([
      ['by-env', 'third-token'],
    ]);
    expect(guarded.notWorking('00000000-0000-4000-8000-000000000011')).toBe(
      'переменная окружения AUTH_TOKEN_SECRET — не переменная канала',
    );
    expect(guarded.notWorking('00000000-0000-4000-8000-000000000012')).toBe(
      'переменная окружения DATABASE_URL — не переменная канала',
    );
    expect(system.secretFromEnv('AUTH_TOKEN_SECRET')).toBeUndefined();
    expect(system.secretFromEnv('VK_THIRD_TOKEN')).toBe('third-token');
  });
});
