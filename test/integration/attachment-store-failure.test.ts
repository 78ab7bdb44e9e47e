import { randomBytes } from 'node:crypto';
import { Role } from '@inbox/access';
import { Channel } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { signInAs } from '../factories/staff';
import { type TelegramFake } from '../fakes/telegram/telegram-fake';
import { refuseInserts } from '../support/database-faults';
import { startTelegramStack, type TelegramStack } from '../support/telegram-stack';
import { eventually, json, registerItems, type TestStack } from '../support/test-stack';

const PHOTO = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
/** Failed rounds (of JOB_ATTEMPTS attempts each) before a file our side cannot keep is marked not received. */
const ROUNDS = 4;

/**
 * A messenger's photo is a reference the worker downloads and stores in the database. When our side could not
 * keep it (the database's disk full, as here: the file contents refused), every retry failed and the last one
 * marked the photo lost for good ("download-failed"), while Telegram still had it — as did Telegram down for
 * longer than one job's retries. Only the channel's definite refusal (not found, refused) gives a file up at once
 * now; our own failure or the channel's hiccup leaves it a reference, and the sweep fetches it again — a bounded
 * number of rounds, further and further apart, after which the clerk sees on the card that the file was not
 * received, and the citizen is told so in their chat.
 */
describe('a fetched attachment our side could not store (integration)', () => {
  let t: TelegramStack;
  let fake: TelegramFake;
  let stack: TestStack;

  beforeAll(async () => {
    t = await startTelegramStack({
      JOB_ATTEMPTS: '2',
      PENDING_SWEEP_MS: '2000',
      ATTACHMENT_STORE_RETRY_MS: '1000',
      ATTACHMENT_STORE_ROUNDS: String(ROUNDS),
    });
    ({ fake, stack } = t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const status = async (appealId: string) =>
    (
      (await stack.db.dataSource.query(
        `SELECT status, rejection_reason, failed_rounds FROM attachments WHERE appeal_id = $1`,
        [appealId],
      )) as { status: string; rejection_reason: string | null; failed_rounds: number }[]
    )[0];

  /** A registered Telegram appeal whose photo is only referenced; the file's id for the fake's getFile calls. */
  const photoAppeal = async (chatId: number): Promise<{ appealId: string; fileId: string }> => {
    const photo = fake.photoUpdate(chatId, PHOTO) as {
      message: { photo: { file_id: string; file_size: number }[] };
    };
    const file = photo.message.photo[photo.message.photo.length - 1];
    const [appealId] = await registerItems(stack, [
      inboundItem({
        channel: Channel.Telegram,
        externalId: `${chatId}:${randomBytes(3).toString('hex')}`,
        author: { externalId: String(chatId), displayName: 'Ирина' },
        replyAddress: { chatId, messageId: 41 },
        attachments: [
          { fileName: 'photo.jpg', contentType: 'image/jpeg', remoteRef: file.file_id, size: file.file_size },
        ],
      }),
    ]);
    return { appealId, fileId: file.file_id };
  };
  const fetchesOf = (fileId: string) =>
    fake.callsOf('getFile').filter((c) => c.params.file_id === fileId).length;

  it('keeps the reference through every failed attempt and stores the file once the database takes it', async () => {
    const restore = await refuseInserts(stack.db.dataSource, 'attachment_contents');
    let appealId = '';
    try {
      let fileId = '';
      ({ appealId, fileId } = await photoAppeal(700_500_001));
      // Both attempts fetched the file and failed to store it; a moment for the last failure to be handled.
      await eventually(async () => (fetchesOf(fileId) >= 2 ? true : undefined), 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await status(appealId)).toMatchObject({ status: 'remote', rejection_reason: null });
    } finally {
      await restore();
    }
    await eventually(async () => ((await status(appealId)).status === 'stored' ? true : undefined), 30_000);
  });

  it('fetches again a bounded number of rounds, then shows the clerk the file was not received', async () => {
    const restore = await refuseInserts(stack.db.dataSource, 'attachment_contents');
    try {
      const { appealId, fileId } = await photoAppeal(700_500_002);
      // Each failed round is counted, and the next waits 1, 2, 4 s by the database's clock.
      const rounds: number[] = [];
      await eventually(
        async () => {
          const s = await status(appealId);
          if (rounds[rounds.length - 1] !== s.failed_rounds) rounds.push(s.failed_rounds);
          return s.status === 'rejected' ? s : undefined;
        },
        60_000,
        50,
      );
      expect(await status(appealId)).toEqual({
        status: 'rejected',
        rejection_reason: 'not-stored',
        failed_rounds: ROUNDS,
      });
      expect(rounds.filter((n) => n > 0)).toEqual([1, 2, 3, 4]);
      // Given up: no more downloads, however many sweeps pass (PENDING_SWEEP_MS 2 s).
      const fetched = fetchesOf(fileId);
      expect(fetched).toBeGreaterThanOrEqual(2 * ROUNDS);
      await new Promise((r) => setTimeout(r, 6000));
      expect(fetchesOf(fileId)).toBe(fetched);
      // The clerk sees it on the card: not received, with the reason (labelled in Russian by the workspace).
      const supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
      const card = await json(
        fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}`, { headers: supervisor.headers }),
      );
      expect(card.attachments).toEqual([
        expect.objectContaining({ status: 'rejected', rejectionReason: 'not-stored' }),
      ]);
      // And the citizen, once, in their chat: the appeal stands without the file, which they may send again.
      const told = fake.sentTo(700_500_002).filter((m) => m.text?.startsWith('Файл «photo.jpg»'));
      expect(told.map((m) => m.text)).toEqual([
        expect.stringMatching(
          /^Файл «photo\.jpg» не удалось сохранить\. Обращение № \S+ зарегистрировано без него\./,
        ),
      ]);
    } finally {
      await restore();
    }
  });

  it('keeps a file whose channel was down through a whole job of retries, and stores it once the channel is back', async () => {
    // Telegram's getFile answers 502 to every attempt of the first job: the file was given up for good then
    // ('download-failed'), though Telegram still had it. It is a failed round now, fetched again by the sweep.
    fake.setScenario('server-error', { methods: ['getFile'], count: 2 });
    const { appealId, fileId } = await photoAppeal(700_500_003);
    await eventually(async () => ((await status(appealId)).failed_rounds >= 1 ? true : undefined), 30_000);
    expect(await status(appealId)).toMatchObject({ status: 'remote', rejection_reason: null });
    expect(
      await eventually(
        async () => ((await status(appealId)).status === 'stored' ? status(appealId) : undefined),
        30_000,
      ),
    ).toEqual({ status: 'stored', rejection_reason: null, failed_rounds: 1 });
    expect(fetchesOf(fileId)).toBeGreaterThanOrEqual(3);
  });
});
