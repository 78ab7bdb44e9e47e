import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConnectorError,
  ConnectorErrorCode,
  type InteractionEvent,
  type RatingEvent,
} from '@inbox/integrations/contract';
import { ratingChoices } from './callback-data';
import { mapUpdate } from './update-mapper';

// Telegram's own webhook-guide examples, read from the shared folder (never copied into the repo).
const SAMPLES = resolve(
  process.env.SHARED_DIR ?? resolve(__dirname, '../../../../shared'),
  'samples/telegram',
);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function sample(file: string): Record<string, any> {
  return JSON.parse(readFileSync(join(SAMPLES, file), 'utf8'));
}

const PRESSED_AT = new Date('2025-03-10T05:00:00.000Z');
const now = () => PRESSED_AT;

function invalidFields(update: unknown): Record<string, string> | undefined {
  try {
    mapUpdate(update, now);
  } catch (error) {
    if (error instanceof ConnectorError && error.code === ConnectorErrorCode.InvalidPayload)
      return error.details.fields;
    throw error;
  }
  throw new Error('expected InvalidPayload');
}

describe('mapUpdate (Telegram Update → inbound)', () => {
  it('turns /start of the first webhook example into a start interaction, not an appeal', () => {
    const result = mapUpdate(sample('01_message_text_first_example.json'), now);
    expect(result.items).toEqual([]);
    expect(result.events).toEqual([
      {
        kind: 'interaction',
        channel: 'telegram',
        externalId: '1111111:1365',
        receivedAt: new Date(1441645532 * 1000).toISOString(),
        author: { externalId: '1111111', displayName: 'Test Test Lastname' },
        thread: { key: 'chat:1111111' },
        replyAddress: { chatId: 1111111, messageId: 1365 },
        action: 'start',
      },
    ]);
  });

  it('turns a private text message into a message-regime item threaded by chat', () => {
    const update = sample('02_message_text.json');
    update.message.text = '  Во дворе дома на ул. Ленина, 5 не вывозят мусор  ';
    const { items, events } = mapUpdate(update, now);
    expect(events).toEqual([]);
    expect(items).toEqual([
      {
        channel: 'telegram',
        externalId: '1111111:1365',
        receivedAt: '2015-09-07T17:05:32.000Z',
        regime: 'message',
        author: { externalId: '1111111', displayName: 'Test Firstname Test Lastname' },
        text: 'Во дворе дома на ул. Ленина, 5 не вывозят мусор',
        thread: { key: 'chat:1111111' },
        replyAddress: { chatId: 1111111, messageId: 1365 },
      },
    ]);
  });

  it('gives a redelivered update the same externalId', () => {
    const first = mapUpdate({ ...sample('07_message_with_entities.json'), update_id: 1 }, now);
    const again = mapUpdate({ ...sample('07_message_with_entities.json'), update_id: 2 }, now);
    expect(first.items[0].externalId).toBe(again.items[0].externalId);
    expect(first.items[0].text).toBe('Bold and italics');
  });

  it('maps the commands /help, /my, /status <number> and /start@bot', () => {
    const command = (text: string) => {
      const update = sample('02_message_text.json');
      update.message.text = text;
      return mapUpdate(update, now).events[0] as InteractionEvent;
    };
    expect(command('/help')).toMatchObject({ action: 'help' });
    expect(command('/my')).toMatchObject({ action: 'list-appeals' });
    expect(command('/status  ОГ-2025-000123 ')).toMatchObject({
      action: 'appeal-status',
      value: 'ОГ-2025-000123',
    });
    expect(command('/status')).not.toHaveProperty('value');
    expect(command('/start@appeals_bot')).toMatchObject({ action: 'start' });
    expect(command('/START')).toMatchObject({ action: 'start' });
  });

  it('keeps an unknown command as ordinary text', () => {
    const update = sample('02_message_text.json');
    update.message.text = '/жалоба на дороги';
    expect(mapUpdate(update, now).items[0].text).toBe('/жалоба на дороги');
  });

  it('maps a document with its own name and type, and the caption as text', () => {
    const update = sample('10_message_with_document.json');
    update.message.caption = 'Копия ответа управляющей компании';
    const [item] = mapUpdate(update, now).items;
    expect(item.text).toBe('Копия ответа управляющей компании');
    expect(item.attachments).toEqual([
      {
        fileName: 'Testfile.pdf',
        contentType: 'application/pdf',
        remoteRef: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX',
        size: 536392,
      },
    ]);
  });

  it('keeps voice and audio messages as attachments with an empty text', () => {
    const [voice] = mapUpdate(sample('09_voice_message.json'), now).items;
    expect(voice.text).toBe('');
    expect(voice.attachments).toEqual([
      {
        fileName: 'voice-AwADBAADbXXXXXXXXXXXGBdhD2l6_XX.ogg',
        contentType: 'audio/ogg',
        remoteRef: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX',
        size: 23000,
      },
    ]);
    const [audio] = mapUpdate(sample('08_message_with_audio.json'), now).items;
    expect(audio.attachments?.[0]).toMatchObject({ contentType: 'audio/mpeg', size: 3897500 });
    expect(audio.attachments?.[0].fileName).toMatch(/^audio-.+\.mp3$/);
  });

  it('picks the largest photo size, whatever its position', () => {
    const update = sample('02_message_text.json');
    delete update.message.text;
    update.message.caption = 'Яма на дороге';
    update.message.photo = [
      { file_id: 'small', file_unique_id: 'u-small', file_size: 1200, width: 90, height: 67 },
      { file_id: 'big', file_unique_id: 'AQADbig', file_size: 98000, width: 1280, height: 960 },
      { file_id: 'mid', file_unique_id: 'u-mid', file_size: 22000, width: 320, height: 240 },
    ];
    const [item] = mapUpdate(update, now).items;
    expect(item.attachments).toEqual([
      { fileName: 'photo-AQADbig.jpg', contentType: 'image/jpeg', remoteRef: 'big', size: 98000 },
    ]);
    expect(item.text).toBe('Яма на дороге');
  });

  it('maps a location to coordinates, an address and a text line when there is no text', () => {
    const update = sample('02_message_text.json');
    delete update.message.text;
    update.message.location = { latitude: 55.03, longitude: 82.92 };
    const [item] = mapUpdate(update, now).items;
    expect(item).toMatchObject({
      text: 'Геопозиция: 55.03,82.92',
      address: '55.03,82.92',
      features: { location: '55.03,82.92' },
    });
  });

  it('takes the phone from a contact the user shared about themselves only', () => {
    const own = sample('02_message_text.json');
    delete own.message.text;
    own.message.contact = { phone_number: '79131234567', first_name: 'Test', user_id: 1111111 };
    const [mine] = mapUpdate(own, now).items;
    expect(mine.author.phone).toBe('+79131234567');
    expect(mine.text).toBe('Телефон для связи: +79131234567');

    const other = sample('02_message_text.json');
    delete other.message.text;
    other.message.contact = { phone_number: '+7 913 000-00-00', first_name: 'Соседка', user_id: 42 };
    const [theirs] = mapUpdate(other, now).items;
    expect(theirs.author.phone).toBeUndefined();
    expect(theirs.text).toBe('Контакт: Соседка, +79130000000');
  });

  it('turns a callback query into a button interaction to acknowledge', () => {
    const { items, events } = mapUpdate(sample('13_callback_query.json'), now);
    expect(items).toEqual([]);
    expect(events).toEqual([
      {
        kind: 'interaction',
        channel: 'telegram',
        externalId: '4382bfdwdsb323b2d9',
        receivedAt: PRESSED_AT.toISOString(),
        author: { externalId: '1111111', displayName: 'Test Firstname Test Lastname' },
        thread: { key: 'chat:1111111' },
        replyAddress: { chatId: 1111111 },
        action: 'button',
        value: 'Data from button callback',
        callbackId: '4382bfdwdsb323b2d9',
      },
    ]);
  });

  it('turns the rating buttons into S4 27.3 rating events, and only those', () => {
    const [answeredRow, satisfactionRow] = ratingChoices('ОГ-2025/17');
    const press = (data: string) => {
      const update = sample('13_callback_query.json');
      update.callback_query.data = data;
      update.callback_query.message = {
        message_id: 77,
        date: 1441645600,
        chat: { id: 1111111, type: 'private' },
      };
      return mapUpdate(update, now);
    };
    const no = press(answeredRow[1].id);
    expect(no.items).toEqual([]);
    expect(no.events).toEqual([
      {
        kind: 'rating',
        channel: 'telegram',
        externalId: '4382bfdwdsb323b2d9',
        receivedAt: PRESSED_AT.toISOString(),
        target: { registrationNumber: 'ОГ-2025/17', threadKey: 'chat:1111111' },
        answered: false,
        author: { externalId: '1111111', displayName: 'Test Firstname Test Lastname' },
        // The press is acknowledged, and thanked for, in the chat it came from.
        callbackId: '4382bfdwdsb323b2d9',
        replyAddress: { chatId: 1111111, messageId: 77 },
      },
    ]);
    const partially = press(satisfactionRow[1].id).events[0] as RatingEvent;
    expect(partially).toMatchObject({ kind: 'rating', satisfaction: 'partially' });
    expect(partially).not.toHaveProperty('answered');
    expect((press('rate:A:1:answered:yes').events[0] as RatingEvent).target.registrationNumber).toBe('A:1');
  });

  it('turns the consent button into a consent interaction', () => {
    const update = sample('13_callback_query.json');
    update.callback_query.data = 'consent:accept';
    expect(mapUpdate(update, now).events[0]).toMatchObject({
      action: 'consent',
      callbackId: '4382bfdwdsb323b2d9',
    });
  });

  it('ignores update types we do not handle and group chats', () => {
    for (const file of ['06_edited_message.json', '11_inline_query.json', '12_chosen_inline_result.json']) {
      expect(mapUpdate(sample(file), now)).toEqual({ items: [], events: [] });
    }
    const group = sample('02_message_text.json');
    group.message.chat = { id: -100200300, type: 'supergroup', title: 'Соседи' };
    group.message.text = 'Всем привет';
    expect(mapUpdate(group, now)).toEqual({ items: [], events: [] });
    const sticker = sample('02_message_text.json');
    delete sticker.message.text;
    sticker.message.sticker = {
      file_id: 'st',
      file_unique_id: 'st',
      width: 512,
      height: 512,
      is_animated: false,
    };
    expect(mapUpdate(sticker, now)).toEqual({ items: [], events: [] });
  });

  it('reports what is wrong with a broken update', () => {
    expect(invalidFields(['not', 'an', 'update'])).toEqual({ update: 'must be an object' });
    expect(invalidFields({ message: {} })).toEqual({ update_id: 'must be an integer' });
    expect(invalidFields({ update_id: 5, message: { message_id: 'NaN', date: 1, chat: null } })).toEqual({
      'message.message_id': 'must be an integer',
    });
    expect(invalidFields({ update_id: 5, message: { message_id: 1, date: 1, chat: null } })).toEqual({
      'message.chat': 'must be an object',
    });
    const badPhoto = sample('02_message_text.json');
    delete badPhoto.message.text;
    badPhoto.message.photo = [{ width: 10 }];
    expect(invalidFields(badPhoto)).toEqual({ 'message.photo[0].file_id': 'is missing' });
    const noId = sample('13_callback_query.json');
    delete noId.callback_query.id;
    expect(invalidFields(noId)).toEqual({ 'callback_query.id': 'is missing' });
  });
});
