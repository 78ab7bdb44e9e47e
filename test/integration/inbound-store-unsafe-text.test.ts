import { Module, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { Channel } from '@inbox/integrations/contract';
import { InboundStore, IntakeModule, MAX_ITEM_FILES } from '@inbox/intake';
import { QueueModule } from '@inbox/queue';
import { inboundItem } from '../factories/inbound-items';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

@Module({ imports: [ConfigModule, DatabaseModule.forRoot(), QueueModule.forRoot(), IntakeModule] })
class StoreTestModule {}

/**
 * A channel's item with a NUL (a mis-decoded letter, a "\u0000" escape in a JSON body) or a lone surrogate:
 * Postgres's jsonb refuses both, and the page's whole insert (items and cursor) failed with it, so the account
 * stopped at that item for good. Stored now with the character dropped (NUL) or replaced (U+FFFD). And an item
 * bringing thousands of files: every one would have become an attachment row of one appeal.
 */
describe('InboundStore: text Postgres cannot hold, files beyond count', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let store: InboundStore;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(StoreTestModule, 'unsafe-text', { LOG_LEVEL: 'error' }));
    store = ctx.get(InboundStore);
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('stores a page whose item carries NUL and a lone surrogate, with the rest of the page', async () => {
    const broken = inboundItem({
      channel: Channel.Email,
      subject: 'Сн\u0000ег',
      text: 'Убер\u0000ите снег \ud83d во дворе',
      author: { externalId: 'a@example.ru', displayName: 'Ив\u0000ан', email: 'a@example.ru' },
      features: { 'note\u0000': 'x\u0000' },
    });
    const fine = inboundItem();
    const stored = await store.store([broken, fine], { enqueue: false });
    expect(stored.map((s) => s.duplicate)).toEqual([false, false]);
    const [row] = await db.dataSource.query(`SELECT payload FROM inbound_items WHERE external_id = $1`, [
      broken.externalId,
    ]);
    expect(row.payload).toMatchObject({
      subject: 'Снег',
      text: 'Уберите снег \ufffd во дворе',
      author: { displayName: 'Иван' },
      features: { note: 'x' },
    });
  });

  it('keeps at most 100 files of an item; the rest are one rejected entry saying how many', async () => {
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);
    const packed = inboundItem({
      channel: Channel.Email,
      attachments: Array.from({ length: 5_000 }, (_, i) => ({
        fileName: `${i}.jpg`,
        contentType: 'image/jpeg',
        size: photo.length,
        contentBase64: photo.toString('base64'),
      })),
    });
    await store.store([packed], { enqueue: false });
    const [row] = await db.dataSource.query(`SELECT payload FROM inbound_items WHERE external_id = $1`, [
      packed.externalId,
    ]);
    const files = row.payload.attachments as {
      fileName: string;
      sha256?: string;
      rejectionReason?: string;
    }[];
    expect(files).toHaveLength(MAX_ITEM_FILES + 1);
    expect(files[99]).toMatchObject({ fileName: '99.jpg', sha256: expect.any(String) });
    expect(files[100]).toEqual({
      fileName: 'Остальные файлы (4900 шт.) не приняты',
      contentType: 'application/octet-stream',
      size: 0,
      rejectionReason: 'too-many',
    });
  });
});
