import { type TelegramFake } from '../fakes/telegram/telegram-fake';
import { refuseInserts } from '../support/database-faults';
import { startTelegramStack, type TelegramStack } from '../support/telegram-stack';
import { eventually, type TestStack } from '../support/test-stack';

/**
 * Events that come with a pulled page (Telegram's getUpdates: a /command, a button's press) were handled inline
 * after the page's cursor was saved with its items, and only those that failed were kept for the worker. With the
 * database away for both their handling and their keeping (or the process killed between), the cursor had moved
 * on and the event was gone. They are kept before the cursor moves now, and the worker's sweep has them.
 */
describe('events of a pulled page while the database refuses them (integration)', () => {
  let t: TelegramStack;
  let fake: TelegramFake;
  let stack: TestStack;

  beforeAll(async () => {
    t = await startTelegramStack();
    ({ fake, stack } = t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a /help pulled while its answer and its keeping were refused, once the database is back', async () => {
    const chat = 700_600_001;
    const ds = stack.db.dataSource;
    const answers = await refuseInserts(ds, 'bot_replies');
    let kept: (() => Promise<void>) | undefined;
    try {
      // refuseInserts names its trigger function once per database: the second table's is made by hand.
      await ds.query(`CREATE TRIGGER refuse_keep BEFORE INSERT ON deferred_inbound_events
                        FOR EACH ROW EXECUTE FUNCTION refuse_insert()`);
      kept = async () => {
        await ds.query(`DROP TRIGGER refuse_keep ON deferred_inbound_events`);
      };
      const polled = fake.callsOf('getUpdates').length;
      fake.enqueue(fake.textUpdate(chat, '/help'));
      // Pulled (at least twice: the page, and the next poll after it), while the database refuses.
      await eventually(async () => (fake.callsOf('getUpdates').length >= polled + 2 ? true : undefined));
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await kept?.();
      await answers();
    }
    const help = await eventually(
      async () => fake.sentTo(chat).find((m) => m.text?.startsWith('Что умеет бот:')),
      30_000,
    );
    expect(help.text).toContain('/my');
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.sentTo(chat)).toHaveLength(1);
    expect(await ds.query(`SELECT count(*)::int AS n FROM deferred_inbound_events`)).toEqual([{ n: 0 }]);
  });
});
