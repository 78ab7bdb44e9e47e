import { telegramStackForFile } from '../support/telegram-stack';
import { eventually } from '../support/test-stack';

/**
 * A citizen's «👍» or «🙏🙏» in the bot's chat is a reaction (to a notice, to an answer), as a sticker is: it
 * became an appeal of its own, or was added to the open appeal with «Ваше сообщение добавлено…». Now emoji alone
 * are left out by the connector; emoji among words («Яма 🕳 во дворе») are an appeal as before.
 */
describe('emoji alone in the Telegram chat (e2e)', () => {
  const t = telegramStackForFile();
  const chat = 700_900_001;

  const query = <T>(sql: string, params: unknown[]) =>
    t.stack.db.dataSource.query(sql, params) as Promise<T[]>;
  const items = async () =>
    (
      await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM inbound_items WHERE channel = 'telegram' AND external_id LIKE $1`,
        [`${chat}:%`],
      )
    )[0].n;
  const texts = () => t.fake.sentTo(chat).map((m) => m.text ?? '');
  const settled = async () => {
    await eventually(async () => (t.fake.pending.length === 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 2500));
  };

  it('registers nothing for «👍», registers «Яма 🕳 во дворе», and adds no «👍» after the notice', async () => {
    t.fake.enqueue(t.fake.callbackUpdate(chat, 'consent:accept'));
    await eventually(async () => texts().find((s) => s.startsWith('Спасибо, согласие получено')));

    t.fake.enqueue(t.fake.textUpdate(chat, '👍'));
    t.fake.enqueue(t.fake.textUpdate(chat, '🙏🙏'));
    t.fake.enqueue(t.fake.textUpdate(chat, 'Яма 🕳 во дворе дома 5 по ул. Ленина, машины бьют колёса.'));
    await eventually(async () => texts().find((s) => s.startsWith('Обращение зарегистрировано, №')));
    const [appeal] = await query<{ text: string }>(
      `SELECT a.text FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE a.channel = 'telegram' AND p.external_id = $1`,
      [String(chat)],
    );
    expect(appeal.text).toBe('Яма 🕳 во дворе дома 5 по ул. Ленина, машины бьют колёса.');

    // The citizen's thanks for the notice: not added to the appeal, not acknowledged.
    t.fake.enqueue(t.fake.textUpdate(chat, '❤️'));
    t.fake.enqueue(t.fake.textUpdate(chat, '👍🏽'));
    await settled();
    expect(await items()).toBe(1);
    expect(
      await query(
        `SELECT a.id FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE a.channel = 'telegram' AND p.external_id = $1`,
        [String(chat)],
      ),
    ).toHaveLength(1);
    expect(texts().filter((s) => s.startsWith('Ваше сообщение добавлено'))).toEqual([]);
  });
});
