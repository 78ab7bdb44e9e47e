import { ChannelAccountsRepository } from '@inbox/channels';
import { QuarantinedInputKey1796205300000 } from '../../migrations/1796205300000-QuarantinedInputKey';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * What no connector could read is kept aside once. A channel that retries a receipt (a webhook answered late, a
 * page pulled again after a crash) sent the same input twice, and staff found it twice in the quarantine, the
 * account's counter raised twice. The table has a natural key now (QuarantinedInputKey); rows already doubled
 * are folded by the migration.
 */
describe('quarantined inputs, kept once (integration)', () => {
  let db: TestDatabase;
  let repository: ChannelAccountsRepository;
  let accountId = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    repository = new ChannelAccountsRepository(db.dataSource);
    const [row] = (await db.dataSource.query(
      `INSERT INTO channel_accounts (kind, channel, name, settings, source)
       VALUES ('pos', 'pos', 'quarantine-once', '{}', 'admin') RETURNING id`,
    )) as { id: string }[];
    accountId = row.id;
  });

  afterAll(async () => {
    await db?.drop();
  });

  const kept = async () =>
    (await db.dataSource.query(
      `SELECT external_id AS "externalId", reason FROM quarantined_inputs WHERE account_id = $1 ORDER BY id`,
      [accountId],
    )) as { externalId: string | null; reason: string }[];
  const counted = async () =>
    Number(
      (
        (await db.dataSource.query(`SELECT items_quarantined AS n FROM channel_accounts WHERE id = $1`, [
          accountId,
        ])) as { n: string }[]
      )[0].n,
    );

  it('keeps a retried input once, with or without an external id, and counts it once', async () => {
    const unreadable = { externalId: 'pos-77', reason: 'Нет текста обращения', raw: { id: 77, text: null } };
    const anonymous = { reason: 'Неизвестный формат', raw: { garbage: [1, 2, 3] } };
    await repository.quarantine('pos', accountId, [unreadable, anonymous]);
    // The channel delivers the same again, and once more both at once.
    await repository.quarantine('pos', accountId, [unreadable]);
    await Promise.all([
      repository.quarantine('pos', accountId, [unreadable, anonymous]),
      repository.quarantine('pos', accountId, [anonymous, anonymous]),
    ]);
    expect(await kept()).toEqual([
      { externalId: 'pos-77', reason: 'Нет текста обращения' },
      { externalId: null, reason: 'Неизвестный формат' },
    ]);
    expect(await counted()).toBe(2);

    // Another input without an id is another input.
    await repository.quarantine('pos', accountId, [{ reason: 'Неизвестный формат', raw: { garbage: [4] } }]);
    expect((await kept()).length).toBe(3);
    expect(await counted()).toBe(3);
  });

  it('folds the rows a retry doubled before the key, and lowers the counter by as many', async () => {
    const migration = new QuarantinedInputKey1796205300000();
    const runner = db.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      await db.dataSource.query(`DELETE FROM quarantined_inputs WHERE account_id = $1`, [accountId]);
      await db.dataSource.query(
        `INSERT INTO quarantined_inputs (channel, account_id, external_id, reason, raw) VALUES
           ('pos', $1, 'pos-90', 'Нет текста обращения', '{"id": 90}'),
           ('pos', $1, 'pos-90', 'Нет текста обращения', '{"id": 90}'),
           ('pos', $1, NULL, 'Неизвестный формат', '{"b": 1, "a": 2}'),
           ('pos', $1, NULL, 'Неизвестный формат', '{"a": 2, "b": 1}'),
           ('pos', $1, NULL, 'Неизвестный формат', '{"personalDataRemoved": true}'),
           ('pos', $1, NULL, 'Неизвестный формат', '{"personalDataRemoved": true}')`,
        [accountId],
      );
      await db.dataSource.query(`UPDATE channel_accounts SET items_quarantined = 6 WHERE id = $1`, [
        accountId,
      ]);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    // Erased contents no longer tell two inputs apart: both are kept.
    expect(await kept()).toEqual([
      { externalId: 'pos-90', reason: 'Нет текста обращения' },
      { externalId: null, reason: 'Неизвестный формат' },
      { externalId: null, reason: 'Неизвестный формат' },
      { externalId: null, reason: 'Неизвестный формат' },
    ]);
    expect(await counted()).toBe(4);
    // And from now on, once.
    await repository.quarantine('pos', accountId, [{ externalId: 'pos-90', reason: 'Нет текста обращения' }]);
    await repository.quarantine('pos', accountId, [{ reason: 'Неизвестный формат', raw: { a: 2, b: 1 } }]);
    expect((await kept()).length).toBe(4);
    expect(await counted()).toBe(4);
  });
});
