import { randomBytes } from 'node:crypto';
import { AppealRegistrar } from '@inbox/appeals';
import { InboundStore } from '@inbox/intake';
import { Channel, type InboundItem } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { telegramStackForFile } from '../support/telegram-stack';
import { eventually } from '../support/test-stack';

const ACK = 'Ваше сообщение добавлено к обращению №';

/**
 * A citizen's further message in the chat of their open appeal joins it as a follow-up. They heard nothing of it,
 * and could not tell whether it was lost, made a second appeal, or reached the clerk. Now the bot says it was
 * added — once for a burst (an album of photos comes as several messages), not for an edited message, and not in
 * a public place.
 */
describe('a further message joined to the appeal is acknowledged (integration)', () => {
  const t = telegramStackForFile();

  const message = (chatId: number, overrides: Partial<InboundItem> = {}) =>
    inboundItem({
      channel: Channel.Telegram,
      externalId: `${chatId}:${randomBytes(4).toString('hex')}`,
      author: { externalId: String(Math.abs(chatId)), displayName: 'Ирина' },
      replyAddress: { chatId, messageId: 1 },
      thread: { key: `chat:${chatId}` },
      text: 'Во дворе дома по ул. Гоголя, 7 не горит фонарь у подъезда, вечером темно.',
      ...overrides,
    });
  const register = async (item: InboundItem) => {
    const [stored] = await t.stack.api.get(InboundStore).store([item], { enqueue: false });
    return t.stack.api.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
  };
  const acks = (chatId: number) => t.fake.sentTo(chatId).filter((m) => m.text?.startsWith(ACK));
  const registered = (chatId: number) =>
    eventually(async () =>
      t.fake.sentTo(chatId).find((m) => m.text?.startsWith('Обращение зарегистрировано')),
    );

  it('tells the citizen their further message was added, once for a burst, not for an edit', async () => {
    const chatId = 700_700_001;
    const first = await register(message(chatId));
    if (first.kind !== 'registered') throw new Error(first.kind);
    await registered(chatId);

    const more = await register(message(chatId, { text: 'Фонарь не горит уже вторую неделю.' }));
    expect(more).toMatchObject({ kind: 'follow-up', appealId: first.appealId });
    const [ack] = await eventually(async () => (acks(chatId).length ? acks(chatId) : undefined));
    expect(ack.text).toBe(
      `Ваше сообщение добавлено к обращению № ${first.registrationNumber}. Его увидит специалист, который ` +
        'рассматривает обращение.',
    );

    // The next messages of the burst, and an edit of one of them: joined, not acknowledged again.
    expect(await register(message(chatId, { text: 'И у второго подъезда тоже.' }))).toMatchObject({
      kind: 'follow-up',
    });
    expect(
      await register(
        message(chatId, {
          text: 'Фонарь не горит уже третью неделю.',
          features: { correctionOf: `${chatId}:1` },
        }),
      ),
    ).toMatchObject({ kind: 'follow-up' });
    await eventually(async () => {
      const [{ n }] = (await t.stack.db.dataSource.query(
        `SELECT count(*)::int AS n FROM appeal_events WHERE appeal_id = $1 AND type = 'follow-up-received'`,
        [first.appealId],
      )) as { n: number }[];
      return n === 3 ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(acks(chatId)).toHaveLength(1);
  });

  it('says nothing under a public post, where everyone reads', async () => {
    const chatId = -1_001_700_700_002;
    const place = { replyAddress: { chatId, messageId: 5, public: true } };
    const first = await register(message(chatId, place));
    if (first.kind !== 'registered') throw new Error(first.kind);
    await registered(chatId);
    expect(await register(message(chatId, { ...place, text: 'Добавлю: фонарь мигает.' }))).toMatchObject({
      kind: 'follow-up',
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(acks(chatId)).toEqual([]);
  });
});
