import { okText, startOkStack, type OkStack } from '../support/ok-stack';
import { eventually } from '../support/test-stack';

/** How far this process's clock (the api's and the worker's, in this test) runs ahead of the database's. */
const AHEAD_MS = 10 * 60_000;

/**
 * A citizen who has not consented and writes several messages in a row is asked for consent once a minute at
 * most. The minute was measured from the worker's clock against the database's stamps (bot_replies.created_at):
 * a worker whose clock ran ahead asked again at every message, one behind did not ask for as long as it lagged.
 * It is the database's clock now, as for the clock sweeps.
 */
describe('the consent reminder interval on a worker whose clock is off (integration)', () => {
  let ok: OkStack;
  const chat = 'chat:C58aa0088';

  beforeAll(async () => {
    ok = await startOkStack();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await ok?.close();
  });

  const say = (text: string) => ok.say(chat, 'user:580000000088', text);
  const held = async (n: number) =>
    eventually(async () => {
      const rows = (await ok.stack.db.dataSource.query(
        `SELECT 1 FROM inbound_items WHERE channel = 'ok' AND status = 'awaiting-consent'`,
      )) as unknown[];
      return rows.length === n ? true : undefined;
    });

  it('asks once for three messages in a row, though the worker clock runs ten minutes ahead', async () => {
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + AHEAD_MS);
    await say('Во дворе дома 5 по ул. Ленина не вывозят мусор.');
    await held(1);
    await eventually(async () =>
      ok.fake.messages.find((m) => m.chatId === chat && okText(m).startsWith('Ваше сообщение получено')),
    );
    await say('Уже неделю.');
    await held(2);
    await say('Контейнеры переполнены.');
    await held(3);
    await new Promise((r) => setTimeout(r, 2000));
    const requests = await ok.stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM bot_replies WHERE purpose = 'consent-request'`,
    );
    expect(requests).toEqual([{ n: 1 }]);
    expect(ok.fake.messages.filter((m) => m.chatId === chat)).toHaveLength(1);
  });
});
