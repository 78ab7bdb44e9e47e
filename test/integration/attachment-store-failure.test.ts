import { randomBytes } from 'node:crypto';
import { Channel } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { type TelegramFake } from '../fakes/telegram/telegram-fake';
import { refuseInserts } from '../support/database-faults';
import { startTelegramStack, type TelegramStack } from '../support/telegram-stack';
import { eventually, registerItems, type TestStack } from '../support/test-stack';

const PHOTO = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

/**
 * A messenger's photo is a reference the worker downloads and stores in the database. When our side could not
 * keep it (the database's disk full, as here: the file contents refused), every retry failed and the last one
 * marked the photo lost for good ("download-failed"), while Telegram still had it. Only the channel's refusal
 * gives a file up now; our own failure leaves it a reference, and the sweep fetches it again.
 */
describe('a fetched attachment our side could not store (integration)', () => {
  let t: TelegramStack;
  let fake: TelegramFake;
  let stack: TestStack;

  beforeAll(async () => {
    t = await startTelegramStack({ JOB_ATTEMPTS: '2', PENDING_SWEEP_MS: '4000' });
    ({ fake, stack } = t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const status = async (appealId: string) =>
    (
      (await stack.db.dataSource.query(
        `SELECT status, rejection_reason FROM attachments WHERE appeal_id = $1`,
        [appealId],
      )) as { status: string; rejection_reason: string | null }[]
    )[0];

  it('keeps the reference through every failed attempt and stores the file once the database takes it', async () => {
    const photo = fake.photoUpdate(700_500_001, PHOTO) as {
      message: { photo: { file_id: string; file_size: number }[] };
    };
    const file = photo.message.photo[photo.message.photo.length - 1];
    const restore = await refuseInserts(stack.db.dataSource, 'attachment_contents');
    const [appealId] = await registerItems(stack, [
      inboundItem({
        channel: Channel.Telegram,
        externalId: `700500001:${randomBytes(3).toString('hex')}`,
        attachments: [
          { fileName: 'photo.jpg', contentType: 'image/jpeg', remoteRef: file.file_id, size: file.file_size },
        ],
      }),
    ]);
    try {
      // Both attempts fetched the file and failed to store it; a moment for the last failure to be handled.
      await eventually(async () => (fake.callsOf('getFile').length >= 2 ? true : undefined), 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await status(appealId)).toEqual({ status: 'remote', rejection_reason: null });
    } finally {
      await restore();
    }
    await eventually(async () => ((await status(appealId)).status === 'stored' ? true : undefined), 30_000);
  });
});
