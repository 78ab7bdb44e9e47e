import { Role } from '@inbox/access';
import { type PullReport } from '@inbox/channels';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { PosFake } from '../fakes/pos/pos-fake';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';
import { feedTools } from './feed-helpers';

const KEY = 'e2e-channel-secrets-key-0123456789abcdef';
const SUBJECTS = /^\/inbox-service\/subjects\//;

/**
 * Issue 13, Build 1 for ПОС: two ПОС accounts (the environment's and one an administrator adds), each with its own
 * server and its own map of our organisations to ПОС's. Each appeal's status steps go back to the ПОС account it
 * came from, with that account's organisation ids; the rubricator is mirrored from one account, the default.
 */
describe('ПОС accounts (e2e)', () => {
  let posA: PosFake;
  let posB: PosFake;
  let stack: TestStack;
  let tools: ReturnType<typeof feedTools>;
  let admin: SignedIn;
  let operator: SignedIn;
  let accountB = '';

  beforeAll(async () => {
    posA = new PosFake();
    posB = new PosFake();
    await Promise.all([posA.start(), posB.start()]);
    stack = await startTestStack({
      worker: true,
      env: {
        CHANNEL_SECRETS_KEY: KEY,
        POS_BASE_URL: posA.baseUrl,
        POS_USERNAME: posA.credentials.username,
        POS_PASSWORD: posA.credentials.password,
        POS_CLIENT_ID: posA.credentials.clientId,
        POS_CLIENT_SECRET: posA.credentials.clientSecret,
        POS_REGION_ID: String(posA.regionId),
        POS_OPA_IDS: '220511,220512',
        POS_ORGANISATIONS: 'minzhkh=220511,mintrans=220512',
        POS_TIMEOUT_MS: '5000',
        POS_PULL_EVERY_MS: '3600000',
      },
    });
    tools = feedTools(stack);
    admin = await signInAs(stack.api, stack.baseUrl, Role.Admin, 'region');
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([posA?.stop(), posB?.stop()]);
  });

  const post = (path: string, who: SignedIn, body: unknown = {}) =>
    fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: who.headers, body: JSON.stringify(body) });
  const eventsAt = (pos: PosFake, posId: number) =>
    pos.events.filter((e) => e.posId === posId).map((e) => e.body as Record<string, unknown>);
  /** A pull of one account that really ran (a boot-time pull may hold its lock for a moment). */
  const pullAccount = async (id: string): Promise<PullReport> =>
    eventually(async () => {
      const report = await tools.puller.pull(id);
      return report.ran ? report : undefined;
    });

  it('sends each appeal’s status back to the ПОС account it came from, in that account’s ids', async () => {
    const created = await post('/api/v1/channel-accounts', admin, {
      kind: 'pos',
      name: 'ПОС муниципалитета',
      settings: {
        baseUrl: posB.baseUrl,
        regionId: String(posB.regionId),
        opaIds: ['330511'],
        organisations: { minzhkh: '330511' },
        timeoutMs: 5000,
        pullEveryMs: 3_600_000,
      },
      secrets: posB.credentials,
    });
    expect(created.status).toBe(201);
    accountB = ((await created.json()) as { id: string }).id;

    const fromA = posA.addMessage();
    const fromB = posB.addMessage({ posId: 773_006_500, opaId: 330511 });
    expect(await tools.pull('pos')).toMatchObject({ items: 1 });
    expect(await pullAccount(accountB)).toMatchObject({ items: 1, accountId: accountB });
    const a = await tools.appeal('pos', String(fromA.posId));
    const b = await tools.appeal('pos', String(fromB.posId));
    const [item] = (await stack.db.dataSource.query(
      `SELECT i.account_id FROM appeals a JOIN inbound_items i ON i.id = a.inbound_item_id WHERE a.id = $1`,
      [b.id],
    )) as { account_id: string }[];
    expect(item.account_id).toBe(accountB);

    for (const appeal of [a, b])
      expect((await post(`/api/v1/appeals/${appeal.id}/take`, operator)).status).toBe(204);
    await eventually(async () =>
      eventsAt(posA, fromA.posId).length === 1 && eventsAt(posB, fromB.posId).length === 1 ? true : undefined,
    );
    // Forwarded down to the ministry: each ПОС hears it under its own id of that ministry.
    const housing = await idOf(stack.db.dataSource, 'topics', 'housing');
    const minzhkh = await idOf(stack.db.dataSource, 'organisations', 'minzhkh');
    for (const appeal of [a, b])
      expect(
        (
          await post(`/api/v1/appeals/${appeal.id}/escalate`, operator, {
            organisationIds: [minzhkh],
            topicId: housing,
            subject: 'Не вывозят мусор',
          })
        ).status,
      ).toBe(204);
    await eventually(async () =>
      eventsAt(posA, fromA.posId).length === 2 && eventsAt(posB, fromB.posId).length === 2 ? true : undefined,
    );
    expect(eventsAt(posA, fromA.posId)).toEqual([
      expect.objectContaining({ eventType: 'TAKE_TO_WORK' }),
      expect.objectContaining({ eventType: 'FORWARD_TO_SUBORDINATE', opaId: 220511 }),
    ]);
    expect(eventsAt(posB, fromB.posId)).toEqual([
      expect.objectContaining({ eventType: 'TAKE_TO_WORK' }),
      expect.objectContaining({ eventType: 'FORWARD_TO_SUBORDINATE', opaId: 330511 }),
    ]);
    // Nothing of either appeal went to the other ПОС.
    expect(eventsAt(posA, fromB.posId)).toEqual([]);
    expect(eventsAt(posB, fromA.posId)).toEqual([]);
    const [actions] = (await stack.db.dataSource.query(
      `SELECT count(*) FILTER (WHERE account_id = $1)::int AS b, count(*)::int AS total
         FROM feed_actions WHERE kind = 'pos-status' AND appeal_id = $2`,
      [accountB, b.id],
    )) as { b: number; total: number }[];
    expect(actions).toEqual({ b: 2, total: 2 });
  });

  it('mirrors the rubricator from the default ПОС account only', async () => {
    const report = await eventually(async () => {
      const r = await tools.rubricator.sync();
      return r.ran ? r : undefined;
    });
    expect(report.error).toBeUndefined();
    expect(posA.requests.some((r) => SUBJECTS.test(r.path))).toBe(true);
    expect(posB.requests.some((r) => SUBJECTS.test(r.path))).toBe(false);
  });
});
