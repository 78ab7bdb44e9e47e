import { type INestApplicationContext } from '@nestjs/common';
import { AppealRegistrar } from '@inbox/appeals';
import { InboundStore } from '@inbox/intake';
import { Channel, type InboundItem } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

/**
 * A citizen's edit of a message they had sent (Telegram, VK) names the message it corrects. It joined the open
 * appeal of the chat, or, with none open, became a new appeal: a typo fixed after the appeal was closed was
 * registered as a new appeal of the corrected words, and with a newer appeal open in the same chat the correction
 * went to that one. It joins the appeal of the message it corrects now, whatever its status.
 */
describe('an edit joins the appeal of the message it corrects (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  const chatId = 700_800_001;
  const message = (messageId: number, overrides: Partial<InboundItem> = {}) =>
    inboundItem({
      channel: Channel.Telegram,
      externalId: `${chatId}:${messageId}`,
      author: { externalId: String(chatId), displayName: 'Ирина' },
      replyAddress: { chatId, messageId },
      thread: { key: `chat:${chatId}` },
      ...overrides,
    });
  let edits = 0;
  /** Each edit has its own time, so its own id (`<message>:edit:<edit_date>`). */
  const edit = (messageId: number, text: string) =>
    message(messageId, {
      externalId: `${chatId}:${messageId}:edit:${1741700000 + ++edits}`,
      text,
      features: { correctionOf: `${chatId}:${messageId}` },
    });
  const register = async (item: InboundItem) => {
    const [stored] = await ctx.get(InboundStore).store([item], { enqueue: false });
    return ctx.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
  };
  const registerAll = async (items: InboundItem[]) => {
    const stored = await ctx.get(InboundStore).store(items, { enqueue: false });
    return ctx.get(AppealRegistrar).registerBatch(stored.map((s) => s.inboundItemId));
  };

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(AppealsTestModule, 'correction'));
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('adds an edit made after the appeal was closed to that appeal, not to a new one or to a newer open one', async () => {
    const first = await register(message(1, { text: 'Во дворе дома по ул. Гоголя, 7 не горит фонарь.' }));
    if (first.kind !== 'registered') throw new Error(first.kind);
    await db.dataSource.query(`UPDATE appeals SET status = 'closed', closed_at = now() WHERE id = $1`, [
      first.appealId,
    ]);
    expect(await register(edit(1, 'Во дворе дома по ул. Гоголя, 9 не горит фонарь.'))).toMatchObject({
      kind: 'follow-up',
      appealId: first.appealId,
    });

    // A newer appeal open in the same chat: an edit of the first message is still the first appeal's.
    const second = await register(message(2, { text: 'У подъезда дома 9 яма на проезде.' }));
    if (second.kind !== 'registered') throw new Error(second.kind);
    expect(
      await register(edit(1, 'Во дворе дома по ул. Гоголя, 9 не горит фонарь у подъезда.')),
    ).toMatchObject({ kind: 'follow-up', appealId: first.appealId });
    // The batch path reads the same way.
    const batch = await registerAll([edit(1, 'Фонарь у подъезда № 2.')]);
    expect([...batch.values()]).toEqual([
      expect.objectContaining({ kind: 'follow-up', appealId: first.appealId }),
    ]);

    const corrections = (await db.dataSource.query(
      `SELECT appeal_id AS "appealId", data->>'correctionOf' AS of FROM appeal_events
        WHERE type = 'follow-up-received' ORDER BY id`,
    )) as { appealId: string; of: string }[];
    expect(corrections).toEqual([
      { appealId: first.appealId, of: `${chatId}:1` },
      { appealId: first.appealId, of: `${chatId}:1` },
      { appealId: first.appealId, of: `${chatId}:1` },
    ]);
    const [{ n }] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM appeals`)) as { n: number }[];
    expect(n).toBe(2);
  });
});
