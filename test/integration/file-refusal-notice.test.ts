import { randomBytes } from 'node:crypto';
import { Channel } from '@inbox/integrations/contract';
import { inboundItem } from '../factories/inbound-items';
import { refuseInserts } from '../support/database-faults';
import { telegramStackForFile } from '../support/telegram-stack';
import { eventually, registerItems } from '../support/test-stack';

const PHOTO = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
/** A ZIP archive's first bytes: a type staff cannot open safely. */
const ZIP = Buffer.concat([Buffer.from('504b0304', 'hex'), randomBytes(200)]);
const MIB = 1024 * 1024;

/**
 * A file a citizen sends through a messenger is fetched after registration. One that is not kept (a type staff
 * cannot open safely, too large) was marked for staff only: the citizen, told «Обращение зарегистрировано»,
 * believed it was with the appeal. They now hear, in the same chat, which file, why, and what to send instead —
 * once per file, never for a kept one, and never on a public place (a comment under the channel's post).
 */
describe('a messenger file that was not kept is explained to its sender (integration)', () => {
  const t = telegramStackForFile({ ATTACHMENT_MAX_BYTES: String(MIB) });

  const fileRef = (content: Buffer, extension: string) =>
    t.fake.registerFile(content, extension === 'jpg' ? 'photos' : 'documents', { extension });
  const statuses = async (appealId: string) =>
    (await t.stack.db.dataSource.query(
      `SELECT file_name AS "fileName", status, rejection_reason AS reason FROM attachments WHERE appeal_id = $1
        ORDER BY file_name`,
      [appealId],
    )) as { fileName: string; status: string; reason: string | null }[];
  const refusals = (chatId: number) => t.fake.sentTo(chatId).filter((m) => m.text?.startsWith('Файл «'));

  it('tells the citizen which files were not kept and why, and nothing of the one that was', async () => {
    const chatId = 700_600_001;
    const photo = fileRef(PHOTO, 'jpg');
    const archive = fileRef(ZIP, 'zip');
    const [appealId] = await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Telegram,
        externalId: `${chatId}:${randomBytes(3).toString('hex')}`,
        author: { externalId: String(chatId), displayName: 'Ирина' },
        replyAddress: { chatId, messageId: 41 },
        text: 'Во дворе дома по ул. Гоголя, 7 разбита детская площадка, фото и схема во вложении.',
        attachments: [
          {
            fileName: 'двор.jpg',
            contentType: 'image/jpeg',
            remoteRef: photo.file_id,
            size: photo.file_size,
          },
          {
            fileName: 'схема.zip',
            contentType: 'application/zip',
            remoteRef: archive.file_id,
            size: ZIP.length,
          },
          // Larger than ATTACHMENT_MAX_BYTES by the size the channel reported: refused without a download.
          {
            fileName: 'видео.mp4',
            contentType: 'video/mp4',
            remoteRef: 'BAACAgIAAxkBAAI-none',
            size: 3 * MIB,
          },
        ],
      }),
    ]);
    const [number] = (
      (await t.stack.db.dataSource.query(`SELECT registration_number FROM appeals WHERE id = $1`, [
        appealId,
      ])) as {
        registration_number: string;
      }[]
    ).map((r) => r.registration_number);

    const told = await eventually(async () => (refusals(chatId).length >= 2 ? refusals(chatId) : undefined));
    expect(await statuses(appealId)).toEqual([
      { fileName: 'видео.mp4', status: 'rejected', reason: 'too-large' },
      { fileName: 'двор.jpg', status: 'stored', reason: null },
      { fileName: 'схема.zip', status: 'rejected', reason: 'type-not-allowed' },
    ]);
    expect(told.map((m) => m.text).sort()).toEqual([
      `Файл «видео.mp4» не принят: он больше 1 МБ. Обращение № ${number} зарегистрировано без него. Если он ` +
        'нужен, отправьте его в этот чат ещё раз как фото или документ до 1 МБ.',
      `Файл «схема.zip» не принят: такие файлы не принимаются. Обращение № ${number} зарегистрировано без него. ` +
        'Если он нужен, отправьте его в этот чат ещё раз как фото или документ до 1 МБ.',
    ]);
    // In reply to the citizen's message that carried the files; nothing more comes (once per file).
    expect(told.every((m) => m.replyToMessageId === 41)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(refusals(chatId)).toHaveLength(2);
  });

  it('says nothing of a refused file under a public post, where everyone reads', async () => {
    const chatId = -1_001_700_600_002;
    const [appealId] = await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Telegram,
        externalId: `${chatId}:${randomBytes(3).toString('hex')}`,
        author: { externalId: '700600002', displayName: 'Олег' },
        replyAddress: { chatId, messageId: 77, public: true },
        text: 'Под окнами дома по ул. Мира, 3 третий день не убирают мусор.',
        attachments: [
          {
            fileName: 'видео.mp4',
            contentType: 'video/mp4',
            remoteRef: 'BAACAgIAAxkBAAI-big',
            size: 3 * MIB,
          },
        ],
      }),
    ]);
    await eventually(async () => ((await statuses(appealId))[0]?.status === 'rejected' ? true : undefined));
    // The registration notice goes there (it is public by design); the refusal does not.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(refusals(chatId)).toEqual([]);
  });

  it('tells the citizen though the notice failed when the file was refused (the database away a moment)', async () => {
    // The file was marked rejected first and the notice written after: a notice that failed was never retried, the
    // retry finding the file no reference any more. Told first now, then marked.
    const chatId = 700_600_003;
    const restore = await refuseInserts(t.stack.db.dataSource, 'bot_replies');
    let appealId = '';
    try {
      [appealId] = await registerItems(t.stack, [
        inboundItem({
          channel: Channel.Telegram,
          externalId: `${chatId}:${randomBytes(3).toString('hex')}`,
          author: { externalId: String(chatId), displayName: 'Анна' },
          replyAddress: { chatId, messageId: 55 },
          text: 'На ул. Лесной, 9 не горят фонари, видео во вложении.',
          attachments: [
            {
              fileName: 'фонари.mp4',
              contentType: 'video/mp4',
              remoteRef: 'BAACAgIAAxkBAAI-dark',
              size: 3 * MIB,
            },
          ],
        }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 2500));
    } finally {
      await restore();
    }
    const told = await eventually(
      async () => (refusals(chatId).length > 0 ? refusals(chatId) : undefined),
      30_000,
    );
    expect(told.map((m) => m.text)).toEqual([
      expect.stringMatching(/^Файл «фонари\.mp4» не принят: он больше 1 МБ\./),
    ]);
    expect(await statuses(appealId)).toEqual([
      { fileName: 'фонари.mp4', status: 'rejected', reason: 'too-large' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(refusals(chatId)).toHaveLength(1);
  });
});
