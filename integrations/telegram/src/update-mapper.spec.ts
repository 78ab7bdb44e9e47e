import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConnectorError,
  ConnectorErrorCode,
  type InteractionEvent,
  type RatingEvent,
} from '@inbox/integrations/contract';
import { ratingChoices } from './callback-data';
import { ALLOWED_UPDATES, mapUpdate, mergeMediaGroups } from './update-mapper';

// Our own Update objects in the shapes of Telegram's (test/fixtures/telegram); the real examples are checked
// by the conformance suite (test/conformance).
const SAMPLES = resolve(__dirname, '../../../test/fixtures/telegram');
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
  it('turns /start into a start interaction, not an appeal', () => {
    const result = mapUpdate(sample('start.json'), now);
    expect(result.items).toEqual([]);
    expect(result.events).toEqual([
      {
        kind: 'interaction',
        channel: 'telegram',
        externalId: '502003001:4821',
        receivedAt: new Date(1741600800 * 1000).toISOString(),
        author: { externalId: '502003001', displayName: 'Анна Соколова' },
        thread: { key: 'chat:502003001' },
        replyAddress: { chatId: 502003001, messageId: 4821 },
        action: 'start',
      },
    ]);
  });

  it('turns a private text message into a message-regime item threaded by chat', () => {
    const update = sample('text-message.json');
    update.message.text = '  Во дворе дома на ул. Ленина, 5 не вывозят мусор  ';
    const { items, events } = mapUpdate(update, now);
    expect(events).toEqual([]);
    expect(items).toEqual([
      {
        channel: 'telegram',
        externalId: '502003002:4822',
        receivedAt: new Date(1741601400 * 1000).toISOString(),
        regime: 'message',
        author: { externalId: '502003002', displayName: 'Пётр Орлов' },
        text: 'Во дворе дома на ул. Ленина, 5 не вывозят мусор',
        thread: { key: 'chat:502003002' },
        replyAddress: { chatId: 502003002, messageId: 4822 },
      },
    ]);
  });

  it('gives a redelivered update the same externalId', () => {
    const first = mapUpdate({ ...sample('entities-message.json'), update_id: 1 }, now);
    const again = mapUpdate({ ...sample('entities-message.json'), update_id: 2 }, now);
    expect(first.items[0].externalId).toBe(again.items[0].externalId);
    expect(first.items[0].text).toBe('Срочно: прорвало трубу');
  });

  it('maps the commands /help, /my, /status <number> and /start@bot', () => {
    const command = (text: string) => {
      const update = sample('text-message.json');
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
    expect(command('/faq когда включат отопление')).toMatchObject({
      action: 'faq',
      value: 'когда включат отопление',
    });
  });

  it('files the words a citizen typed after /start, /help, /my or a /status number, not dropping them', () => {
    const mapped = (text: string) => {
      const update = sample('text-message.json');
      update.message.text = text;
      return mapUpdate(update, now);
    };
    for (const text of [
      '/help у нас третий день нет горячей воды, что делать?',
      '/start Здравствуйте! Во дворе дома 5 по ул. Мира яма',
      '/my обращение про свет в подъезде так и не рассмотрено',
      '/status я писал месяц назад про яму, ответа нет',
    ]) {
      const { items, events } = mapped(text);
      expect(events).toEqual([]);
      expect(items).toEqual([expect.objectContaining({ text, thread: { key: 'chat:502003002' } })]);
    }
    // What the commands do take stays theirs: a deep link's payload, a number (with «№»), a question.
    expect(mapped('/start from_site-2026').events[0]).toMatchObject({
      action: 'start',
      value: 'from_site-2026',
    });
    expect(mapped('/status № ОГ-2025-000123').events[0]).toMatchObject({
      action: 'appeal-status',
      value: '№ ОГ-2025-000123',
    });
    expect(mapped('/faq как записаться на приём').events[0]).toMatchObject({ action: 'faq' });
  });

  it('keeps an unknown command as ordinary text', () => {
    const update = sample('text-message.json');
    update.message.text = '/жалоба на дороги';
    expect(mapUpdate(update, now).items[0].text).toBe('/жалоба на дороги');
  });

  it('maps a document with its own name and type, and the caption as text', () => {
    const update = sample('document-message.json');
    update.message.caption = 'Копия ответа управляющей компании';
    const [item] = mapUpdate(update, now).items;
    expect(item.text).toBe('Копия ответа управляющей компании');
    expect(item.attachments).toEqual([
      {
        fileName: 'Акт осмотра.pdf',
        contentType: 'application/pdf',
        remoteRef: 'BQACAgIAAxkBAAIBbWZoZG9jLWZpbGUtMDAz',
        size: 204811,
      },
    ]);
  });

  it('keeps voice and audio messages as attachments with an empty text', () => {
    const [voice] = mapUpdate(sample('voice-message.json'), now).items;
    expect(voice.text).toBe('');
    expect(voice.attachments).toEqual([
      {
        fileName: 'voice-AwACAgIAAxkBAAIBbGZodm9pY2UtZmlsZS0wMDI.ogg',
        contentType: 'audio/ogg',
        remoteRef: 'AwACAgIAAxkBAAIBbGZodm9pY2UtZmlsZS0wMDI',
        size: 48100,
      },
    ]);
    const [audio] = mapUpdate(sample('audio-message.json'), now).items;
    expect(audio.attachments?.[0]).toMatchObject({ contentType: 'audio/mpeg', size: 1520400 });
    expect(audio.attachments?.[0].fileName).toMatch(/^audio-.+\.mp3$/);
  });

  it('picks the largest photo size, whatever its position', () => {
    const update = sample('text-message.json');
    delete update.message.text;
    update.message.caption = 'Яма на дороге';
    update.message.photo = [
      { file_id: 'small', file_unique_id: 'u-small', file_size: 1200, width: 90, height: 67 },
      { file_id: 'big', file_unique_id: 'AQADbig', file_size: 98000, width: 1280, height: 960 },
      { file_id: 'mid', file_unique_id: 'u-mid', file_size: 22000, width: 320, height: 240 },
    ];
    const [item] = mapUpdate(update, now).items;
    expect(item.attachments).toEqual([
      {
        fileName: 'photo-AQADbig.jpg',
        contentType: 'image/jpeg',
        remoteRef: 'big',
        size: 98000,
        uniqueKey: 'telegram:AQADbig',
      },
    ]);
    expect(item.text).toBe('Яма на дороге');
  });

  it('maps a location to coordinates, an address and a text line when there is no text', () => {
    const update = sample('text-message.json');
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
    const own = sample('text-message.json');
    delete own.message.text;
    own.message.contact = { phone_number: '79131234567', first_name: 'Test', user_id: 502003002 };
    const [mine] = mapUpdate(own, now).items;
    expect(mine.author.phone).toBe('+79131234567');
    expect(mine.text).toBe('Телефон для связи: +79131234567');

    const other = sample('text-message.json');
    delete other.message.text;
    other.message.contact = { phone_number: '+7 913 000-00-00', first_name: 'Соседка', user_id: 42 };
    const [theirs] = mapUpdate(other, now).items;
    expect(theirs.author.phone).toBeUndefined();
    expect(theirs.text).toBe('Контакт: Соседка, +79130000000');
  });

  it('turns a callback query into a button interaction to acknowledge', () => {
    const { items, events } = mapUpdate(sample('callback-query.json'), now);
    expect(items).toEqual([]);
    expect(events).toEqual([
      {
        kind: 'interaction',
        channel: 'telegram',
        externalId: '2158837402916655101',
        receivedAt: PRESSED_AT.toISOString(),
        author: { externalId: '502003002', displayName: 'Пётр Орлов' },
        thread: { key: 'chat:502003002' },
        replyAddress: { chatId: 502003002 },
        action: 'button',
        value: 'menu:help',
        callbackId: '2158837402916655101',
      },
    ]);
  });

  it('turns the rating buttons into S4 27.3 rating events, and only those', () => {
    const [answeredRow, satisfactionRow] = ratingChoices('ОГ-2025/17');
    const press = (data: string) => {
      const update = sample('callback-query.json');
      update.callback_query.data = data;
      update.callback_query.message = {
        message_id: 77,
        date: 1441645600,
        chat: { id: 502003002, type: 'private' },
      };
      return mapUpdate(update, now);
    };
    const no = press(answeredRow[1].id);
    expect(no.items).toEqual([]);
    expect(no.events).toEqual([
      {
        kind: 'rating',
        channel: 'telegram',
        externalId: '2158837402916655101',
        receivedAt: PRESSED_AT.toISOString(),
        target: { registrationNumber: 'ОГ-2025/17', threadKey: 'chat:502003002' },
        answered: false,
        author: { externalId: '502003002', displayName: 'Пётр Орлов' },
        // The press is acknowledged, and thanked for, in the chat it came from.
        callbackId: '2158837402916655101',
        replyAddress: { chatId: 502003002, messageId: 77 },
      },
    ]);
    const partially = press(satisfactionRow[1].id).events[0] as RatingEvent;
    expect(partially).toMatchObject({ kind: 'rating', satisfaction: 'partially' });
    expect(partially).not.toHaveProperty('answered');
    expect((press('rate:A:1:answered:yes').events[0] as RatingEvent).target.registrationNumber).toBe('A:1');
  });

  it('turns the consent button into a consent interaction', () => {
    const update = sample('callback-query.json');
    update.callback_query.data = 'consent:accept';
    expect(mapUpdate(update, now).events[0]).toMatchObject({
      action: 'consent',
      callbackId: '2158837402916655101',
    });
  });

  it("names the bot's message a reply answers, so the reply joins that message's appeal", () => {
    const [item] = mapUpdate(sample('reply-message.json'), now).items;
    expect(item.thread).toEqual({ key: 'chat:502003002', refersTo: ['sent:502003002:4870'] });
    expect(item.text).toBe('Фонарь так и не починили, хотя вы ответили, что работы выполнены.');
  });

  it('shows the clerk a message quoted from another chat: who wrote it, the quoted words, its files', () => {
    const [item] = mapUpdate(sample('external-reply-message.json'), now).items;
    expect(item.text).toBe(
      [
        'Это у нас во дворе, дом 7. Когда уберут?',
        'Ответ на сообщение из другого чата (Новости Заречного района, Редакция):',
        '«Жители жалуются на свалку мусора у контейнерной площадки»',
        'Содержит: фото',
      ].join('\n'),
    );
    expect(item.attachments).toEqual([
      {
        fileName: 'photo-AQADext2.jpg',
        contentType: 'image/jpeg',
        remoteRef: 'AgACAgIAAxkBAAIBQmXext-large',
        size: 84120,
        uniqueKey: 'telegram:AQADext2',
      },
    ]);
    // Another chat's message is no thread of ours.
    expect(item.thread).toEqual({ key: 'chat:502003002' });
  });

  it('reads a quote from another chat with a hidden sender, no quote text and a broken file as far as it can', () => {
    const update = sample('external-reply-message.json');
    update.message.external_reply = {
      origin: { type: 'hidden_user', sender_user_name: 'Сосед', date: 1742290000 },
      document: { file_unique_id: 'no-file-id' },
      location: { latitude: 55.03, longitude: 82.92 },
      some_future_field: { x: 1 },
    };
    delete update.message.quote;
    const [item] = mapUpdate(update, now).items;
    expect(item.text).toBe(
      [
        'Это у нас во дворе, дом 7. Когда уберут?',
        'Ответ на сообщение из другого чата (Сосед):',
        'Содержит: файл, геопозиция',
        'Геопозиция: 55.03,82.92',
        'Файлы цитируемого сообщения не получены.',
      ].join('\n'),
    );
    expect(item.attachments).toBeUndefined();
  });

  it('shows the part of a replied message the citizen quoted', () => {
    const update = sample('reply-message.json');
    update.message.quote = { text: 'фонарь заменён', position: 30 };
    const [item] = mapUpdate(update, now).items;
    expect(item.text).toBe(
      'Фонарь так и не починили, хотя вы ответили, что работы выполнены.\nЦитата: «фонарь заменён»',
    );
    expect(item.thread).toEqual({ key: 'chat:502003002', refersTo: ['sent:502003002:4870'] });
  });

  it('keys photo and file attachments by file_unique_id, so an edited caption does not attach them twice', () => {
    const update = sample('text-message.json');
    delete update.message.text;
    update.message.caption = 'Яма';
    update.message.photo = [{ file_id: 'f-1', file_unique_id: 'AQADu1', width: 10, height: 10 }];
    update.message.document = { file_id: 'd-1', file_unique_id: 'BQADd1', file_name: 'акт.pdf' };
    const edit = {
      update_id: 1,
      edited_message: { ...update.message, caption: 'Яма глубокая', edit_date: 1 },
    };
    const [original] = mapUpdate(update, now).items;
    const [corrected] = mapUpdate(edit, now).items;
    expect(original.attachments?.map((a) => a.uniqueKey)).toEqual(['telegram:AQADu1', 'telegram:BQADd1']);
    expect(corrected.attachments?.map((a) => a.uniqueKey)).toEqual(['telegram:AQADu1', 'telegram:BQADd1']);
  });

  it('turns an edited message into an item of its own, marked as the correction of the original', () => {
    const { items, events } = mapUpdate(sample('edited-message.json'), now);
    expect(events).toEqual([]);
    expect(items).toEqual([
      {
        channel: 'telegram',
        externalId: '502003002:4822:edit:1741601700',
        receivedAt: new Date(1741601700 * 1000).toISOString(),
        regime: 'message',
        author: { externalId: '502003002', displayName: 'Пётр Орлов' },
        text: 'Во дворе дома 14 по ул. Гоголя не горят два фонаря.',
        thread: { key: 'chat:502003002' },
        replyAddress: { chatId: 502003002, messageId: 4822 },
        features: { correctionOf: '502003002:4822' },
      },
    ]);
    // A second edit of the same message is another correction, not a duplicate of the first.
    const again = sample('edited-message.json');
    again.edited_message.edit_date += 60;
    expect(mapUpdate(again, now).items[0].externalId).toBe('502003002:4822:edit:1741601760');
    expect(ALLOWED_UPDATES).toContain('edited_message');
  });

  it('reads a message dated past the year 9999 as come when read, an edit so dated as undated (it threw a RangeError)', () => {
    const far = sample('text-message.json');
    far.message.date = 9_000_000_000_000;
    expect(mapUpdate(far, now).items[0]).toMatchObject({ receivedAt: PRESSED_AT.toISOString() });
    const edit = sample('edited-message.json');
    edit.edited_message.edit_date = 9_000_000_000_000;
    expect(mapUpdate(edit, now).items[0]).toMatchObject({
      externalId: `502003002:4822:edit:${new Date(edit.edited_message.date * 1000).toISOString()}`,
      receivedAt: new Date(edit.edited_message.date * 1000).toISOString(),
    });
  });

  it('ignores update types we do not handle, and says why it leaves group chats out', () => {
    // Nothing is left out without its reason for the log: inline mode, a game's button, a button without data.
    expect(mapUpdate(sample('inline-query.json'), now)).toEqual({
      items: [],
      events: [],
      skipped: 'inline-query',
    });
    expect(mapUpdate(sample('chosen-inline-result.json'), now)).toEqual({
      items: [],
      events: [],
      skipped: 'chosen-inline-result',
    });
    const game = sample('callback-query.json');
    delete game.callback_query.data;
    game.callback_query.game_short_name = 'kvest_po_gorodu';
    game.callback_query.chat_instance = '-7714403927339101934';
    expect(mapUpdate(game, now)).toEqual({ items: [], events: [], skipped: 'callback-game' });
    delete game.callback_query.game_short_name;
    expect(mapUpdate(game, now)).toEqual({ items: [], events: [], skipped: 'callback-without-data' });
    const group = sample('text-message.json');
    group.message.chat = { id: -100200300, type: 'supergroup', title: 'Соседи' };
    group.message.text = 'Всем привет';
    expect(mapUpdate(group, now)).toEqual({ items: [], events: [], skipped: 'group-chat' });
    const editedInGroup = sample('edited-message.json');
    editedInGroup.edited_message.chat = { id: -100200300, type: 'supergroup', title: 'Соседи' };
    expect(mapUpdate(editedInGroup, now)).toEqual({ items: [], events: [], skipped: 'group-chat' });
    const sticker = sample('text-message.json');
    delete sticker.message.text;
    sticker.message.sticker = {
      file_id: 'st',
      file_unique_id: 'st',
      width: 512,
      height: 512,
      is_animated: false,
    };
    expect(mapUpdate(sticker, now)).toEqual({ items: [], events: [], skipped: 'sticker' });
  });

  it('leaves out emoji alone, as a sticker; emoji among words, a rating digit or a photo stay a message', () => {
    for (const text of ['👍', '🙏🙏', '❤️', '👍🏽 👌']) {
      const reaction = sample('text-message.json');
      reaction.message.text = text;
      expect(mapUpdate(reaction, now)).toEqual({ items: [], events: [], skipped: 'emoji' });
    }
    for (const text of ['Яма 🕳 во дворе', 'Согласен 👍', '5 👍']) {
      const words = sample('text-message.json');
      words.message.text = text;
      expect(mapUpdate(words, now).items[0]).toMatchObject({ text });
    }
    const [photo] = sample('photo-album.json') as unknown as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    photo.message.caption = '👍';
    expect(mapUpdate(photo, now).items[0]).toMatchObject({ text: '👍' });
  });

  it("leaves out an edit into emoji alone, a photo's caption too: a reaction, not a correction of the appeal", () => {
    const edited = sample('edited-message.json');
    edited.edited_message.text = '👍👍';
    expect(mapUpdate(edited, now)).toEqual({ items: [], events: [], skipped: 'emoji' });
    // The photo came with the message; only the caption changed.
    const [photo] = sample('photo-album.json') as unknown as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const captionEdit = {
      update_id: photo.update_id,
      edited_message: { ...photo.message, caption: '🙏', edit_date: 1741602100 },
    };
    expect(mapUpdate(captionEdit, now)).toEqual({ items: [], events: [], skipped: 'emoji' });
    captionEdit.edited_message.caption = 'Яма 🕳 во дворе, дом 4';
    expect(mapUpdate(captionEdit, now).items[0]).toMatchObject({
      text: 'Яма 🕳 во дворе, дом 4',
      features: expect.objectContaining({ correctionOf: expect.any(String) }),
    });
  });

  it('acknowledges update kinds it does not handle, naming the kind for the log', () => {
    expect(mapUpdate(sample('channel-post.json'), now)).toEqual({
      items: [],
      events: [],
      skipped: 'update-kind:channel_post',
    });
    // A kind from a later Bot API, its name not fit for a log line: not echoed.
    expect(mapUpdate({ update_id: 9, 'Ольга Петрова': {} }, now).skipped).toBe('update-kind:unknown');
  });

  it('the citizen blocking the bot, and unblocking it, is a reachability event on their chat', () => {
    expect(ALLOWED_UPDATES).toContain('my_chat_member');
    const blocked = sample('my-chat-member.json');
    expect(mapUpdate(blocked, now)).toEqual({
      items: [],
      events: [
        {
          kind: 'reachability',
          channel: 'telegram',
          externalId: 'member:502003002:1741602200:blocked',
          receivedAt: new Date(1741602200 * 1000).toISOString(),
          target: { threadKey: 'chat:502003002' },
          reachable: false,
          author: { externalId: '502003002', displayName: 'Пётр Орлов' },
        },
      ],
    });
    const unblocked = sample('my-chat-member.json');
    const change = unblocked.my_chat_member;
    [change.old_chat_member.status, change.new_chat_member.status] = ['kicked', 'member'];
    change.date += 60;
    expect(mapUpdate(unblocked, now).events).toEqual([
      expect.objectContaining({ externalId: 'member:502003002:1741602260:back', reachable: true }),
    ]);
    // /start for the first time (no «kicked» before) is no news; a group adding or removing the bot is not ours.
    change.old_chat_member.status = 'left';
    expect(mapUpdate(unblocked, now)).toEqual({ items: [], events: [], skipped: 'membership-unchanged' });
    const group = sample('my-chat-member.json');
    group.my_chat_member.chat = { id: -100777, title: 'Соседи', type: 'supergroup' };
    expect(mapUpdate(group, now)).toEqual({ items: [], events: [], skipped: 'group-membership' });
  });

  it('brings content it cannot read to a clerk, and leaves out service notices', () => {
    const story = mapUpdate(sample('story-message.json'), now);
    expect(story.items).toHaveLength(1);
    expect(story.items[0]).toMatchObject({
      externalId: '502003002:4903',
      text: 'Переслано от Ольга\nСообщение не распознано (история). Откройте переписку в Telegram.',
      features: { forwarded: 'true', unrecognised: 'story' },
    });
    const future = sample('text-message.json');
    delete future.message.text;
    future.message.hologram = { file_id: 'h1' };
    expect(mapUpdate(future, now).items[0].features).toMatchObject({ unrecognised: 'hologram' });
    const pinned = sample('text-message.json');
    delete pinned.message.text;
    pinned.message.pinned_message = { message_id: 4800, date: 1741600000, chat: pinned.message.chat };
    expect(mapUpdate(pinned, now)).toEqual({ items: [], events: [], skipped: 'service:pinned_message' });
    const poll = sample('text-message.json');
    delete poll.message.text;
    poll.message.poll = {
      id: '5',
      question: 'Когда починят лифт?',
      options: [
        { text: 'Скоро', voter_count: 0 },
        { text: 'Никогда', voter_count: 0 },
      ],
      total_voter_count: 0,
      is_closed: false,
      is_anonymous: true,
      type: 'regular',
      allows_multiple_answers: false,
    };
    expect(mapUpdate(poll, now).items[0].text).toBe('Опрос: Когда починят лифт?\n— Скоро\n— Никогда');
  });

  it('keeps the addresses behind words made links (text_link entities)', () => {
    const update = sample('text-message.json');
    update.message.text = 'Вот новость и вот ответ администрации';
    update.message.entities = [
      { offset: 4, length: 7, type: 'text_link', url: 'https://t.me/novosti_goroda/1203' },
      { offset: 16, length: 5, type: 'text_link', url: 'https://adm.example.ru/otvet' },
      { offset: 0, length: 3, type: 'bold' },
    ];
    expect(mapUpdate(update, now).items[0].text).toBe(
      'Вот новость и вот ответ администрации\nСсылки: https://t.me/novosti_goroda/1203, https://adm.example.ru/otvet',
    );
  });

  it('makes one item of an album that came in one batch: the caption and every photo', () => {
    const updates = sample('photo-album.json') as unknown as unknown[];
    const items = mergeMediaGroups(updates.flatMap((u) => mapUpdate(u, now).items));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      externalId: '502003002:4901',
      text: 'Яма на дороге у дома 3 по ул. Мира, фото прилагаю',
      features: { mediaGroup: '13912345678901234' },
    });
    expect(items[0].attachments?.map((a) => a.remoteRef)).toEqual([
      'AgACAgIAAxkBAAIBa-large',
      'AgACAgIAAxkBAAIBb-large',
    ]);
    // Another chat's album with the same id, and an ordinary message, stay apart.
    const other = JSON.parse(JSON.stringify(updates[1]));
    other.message.chat.id = 502003003;
    const text = sample('text-message.json');
    expect(
      mergeMediaGroups([...items, ...mapUpdate(other, now).items, ...mapUpdate(text, now).items]),
    ).toHaveLength(3);
  });

  it('names where a forwarded message comes from, in the new and the older shape', () => {
    const post = sample('forwarded-channel-post.json');
    expect(mapUpdate(post, now).items[0]).toMatchObject({
      text:
        'Переслано из канала «Новости Заречного района», подпись: Редакция https://t.me/zarechny_news/2417\n' +
        'В Заречном с утра нет горячей воды, аварийная служба не отвечает',
      features: { forwarded: 'true' },
    });
    // Before Bot API 7.0 only the forward_* fields: the same line.
    const older = sample('forwarded-channel-post.json');
    delete older.message.forward_origin;
    expect(mapUpdate(older, now).items[0].text).toBe(mapUpdate(post, now).items[0].text);
    // A private channel has no address; a group's message names the group.
    const group = sample('forwarded-channel-post.json');
    group.message.forward_origin = {
      type: 'chat',
      sender_chat: { id: -1001222333444, title: 'Соседи дома 14', type: 'supergroup' },
      date: 1741599000,
    };
    expect(mapUpdate(group, now).items[0].text).toMatch(/^Переслано из чата «Соседи дома 14»\n/);
    // A person who hides their account is named as Telegram gives the name; a photo alone says whose it is.
    const hidden = sample('forwarded-channel-post.json');
    hidden.message.forward_origin = {
      type: 'hidden_user',
      sender_user_name: 'Сосед сверху',
      date: 1741599000,
    };
    delete hidden.message.text;
    hidden.message.photo = [{ file_id: 'AgAC-fwd', file_unique_id: 'AQADf1', width: 800, height: 600 }];
    const item = mapUpdate(hidden, now).items[0];
    expect(item.text).toBe('Переслано от Сосед сверху');
    expect(item.attachments?.map((a) => a.remoteRef)).toEqual(['AgAC-fwd']);
    // A forwarded album names its source once.
    const album = (sample('photo-album.json') as unknown as ReturnType<typeof sample>[]).map((u) => {
      u.message.forward_origin = post.message.forward_origin;
      return u;
    });
    const merged = mergeMediaGroups(album.flatMap((u) => mapUpdate(u, now).items));
    expect(merged).toHaveLength(1);
    expect(merged[0].text.match(/Переслано из канала/g)).toHaveLength(1);
    expect(merged[0].text).toContain('Яма на дороге у дома 3 по ул. Мира, фото прилагаю');
  });

  it('takes a live location once: its moves (edits without text) are left out, an edited text is not', () => {
    const [first, move, stop] = sample('live-location.json') as unknown as ReturnType<typeof sample>[];
    expect(mapUpdate(first, now).items[0]).toMatchObject({
      text: 'Геопозиция: 56.010563,92.852572',
      address: '56.010563,92.852572',
    });
    expect(mapUpdate(move, now)).toEqual({ items: [], events: [], skipped: 'live-location-update' });
    expect(mapUpdate(stop, now)).toEqual({ items: [], events: [], skipped: 'live-location-update' });
    const edited = sample('edited-message.json');
    expect(mapUpdate(edited, now).items).toHaveLength(1);
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
    const badPhoto = sample('text-message.json');
    delete badPhoto.message.text;
    badPhoto.message.photo = [{ width: 10 }];
    expect(invalidFields(badPhoto)).toEqual({ 'message.photo[0].file_id': 'is missing' });
    const noId = sample('callback-query.json');
    delete noId.callback_query.id;
    expect(invalidFields(noId)).toEqual({ 'callback_query.id': 'is missing' });
  });
  it("files a citizen's message to the official's business account, answered through that connection", () => {
    const { items, events, skipped } = mapUpdate(sample('business-message.json'), now);
    expect(skipped).toBeUndefined();
    expect(events).toEqual([]);
    expect(items).toEqual([
      {
        channel: 'telegram',
        externalId: 'b502003011:318',
        receivedAt: new Date(1741602000 * 1000).toISOString(),
        regime: 'message',
        author: { externalId: '502003011', displayName: 'Ольга Белова' },
        text: 'Здравствуйте! Третью неделю нет отопления в доме 7 по ул. Садовой.',
        thread: { key: 'business:502003011' },
        replyAddress: {
          chatId: 502003011,
          messageId: 318,
          businessConnectionId: 'AQADkpcBAAEbmhEAAQ-B7rYv9h8',
        },
      },
    ]);
    expect(ALLOWED_UPDATES).toEqual(expect.arrayContaining(['business_message', 'edited_business_message']));
    // A reply to the official's answer in that chat joins the answer's appeal, apart from the bot's own chat.
    const reply = sample('business-message.json');
    reply.business_message.reply_to_message = { message_id: 317, chat: reply.business_message.chat, date: 1 };
    expect(mapUpdate(reply, now).items[0].thread).toEqual({
      key: 'business:502003011',
      refersTo: ['sent:b502003011:317'],
    });
    // The citizen's edit is a correction, as in the bot's chat.
    const edited = sample('business-message.json');
    edited.edited_business_message = { ...edited.business_message, edit_date: 1741602100, text: 'Дом 9' };
    delete edited.business_message;
    expect(mapUpdate(edited, now).items[0]).toMatchObject({
      externalId: 'b502003011:318:edit:1741602100',
      text: 'Дом 9',
      features: { correctionOf: 'b502003011:318' },
    });
  });

  it("leaves out the official's own messages in a business chat, and refuses one without its connection", () => {
    expect(mapUpdate(sample('business-message-own.json'), now)).toEqual({
      items: [],
      events: [],
      skipped: 'business-own-message',
    });
    const viaBot = sample('business-message.json');
    viaBot.business_message.sender_business_bot = { id: 7000001, is_bot: true, first_name: 'Бот' };
    expect(mapUpdate(viaBot, now).skipped).toBe('business-own-message');
    const broken = sample('business-message.json');
    delete broken.business_message.business_connection_id;
    expect(invalidFields(broken)).toEqual({ 'business_message.business_connection_id': 'is missing' });
  });

  it('a button under a business-chat message answers in that chat, through the connection', () => {
    const press = sample('callback-query.json');
    press.callback_query.data = 'consent:accept';
    delete press.callback_query.inline_message_id;
    press.callback_query.message = {
      message_id: 320,
      chat: { id: 502003002, type: 'private', first_name: 'Пётр' },
      date: 1741602000,
      business_connection_id: 'AQADkpcBAAEbmhEAAQ-B7rYv9h8',
      text: 'Согласны на обработку персональных данных?',
    };
    const [event] = mapUpdate(press, now).events as InteractionEvent[];
    expect(event.thread).toEqual({ key: 'business:502003002' });
    expect(event.replyAddress).toMatchObject({ businessConnectionId: 'AQADkpcBAAEbmhEAAQ-B7rYv9h8' });
  });

  it("files a citizen's direct message to the official channel, answered in their topic of the channel's chat", () => {
    const { items, skipped } = mapUpdate(sample('channel-direct-message.json'), now);
    expect(skipped).toBeUndefined();
    expect(items).toEqual([
      {
        channel: 'telegram',
        externalId: '-1002468013579:57',
        receivedAt: new Date(1741604000 * 1000).toISOString(),
        regime: 'message',
        author: { externalId: '502003031', displayName: 'Светлана Круглова' },
        text: 'Добрый день. В посёлке Лесном с понедельника не ходит автобус № 112.',
        thread: { key: 'direct:-1002468013579:502003031' },
        replyAddress: { chatId: -1002468013579, messageId: 57, directMessagesTopicId: 502003031 },
      },
    ]);
    // The channel's side of the conversation: a staff member's answer, or one on behalf of the channel.
    const staff = sample('channel-direct-message.json');
    staff.message.from = { id: 400500601, is_bot: false, first_name: 'Оператор' };
    expect(mapUpdate(staff, now).skipped).toBe('channel-direct-own-message');
    const asChannel = sample('channel-direct-message.json');
    asChannel.message.sender_chat = { id: -1002468013000, type: 'channel', title: 'Администрация района' };
    expect(mapUpdate(asChannel, now).skipped).toBe('channel-direct-own-message');
    // Its consent button pressed: in the same topic, so the waiting message is the one consented for.
    const press = sample('callback-query.json');
    press.callback_query.data = 'consent:accept';
    delete press.callback_query.inline_message_id;
    const dm = sample('channel-direct-message.json').message;
    press.callback_query.message = {
      ...dm,
      message_id: 58,
      from: { id: 7000001, is_bot: true, first_name: 'Бот' },
    };
    const [event] = mapUpdate(press, now).events as InteractionEvent[];
    expect(event.thread).toEqual({ key: 'direct:-1002468013579:502003031' });
    expect(event.replyAddress).toEqual({
      chatId: -1002468013579,
      messageId: 58,
      directMessagesTopicId: 502003031,
    });
    const noTopic = sample('channel-direct-message.json');
    delete noTopic.message.direct_messages_topic;
    expect(invalidFields(noTopic)).toEqual({ 'message.direct_messages_topic.topic_id': 'is missing' });
  });

  it('deleted business messages are withdrawals by the citizen, one per message, for the core to note', () => {
    const update = {
      update_id: 9001,
      deleted_business_messages: {
        business_connection_id: 'bc-official-1',
        chat: { id: 502003011, type: 'private', first_name: 'Анна' },
        message_ids: [41, 42],
      },
    };
    expect(mapUpdate(update, now)).toEqual({
      items: [],
      events: [41, 42].map((id) => ({
        kind: 'withdrawal',
        channel: 'telegram',
        externalId: `deleted:b502003011:${id}`,
        receivedAt: now().toISOString(),
        target: { externalId: `b502003011:${id}` },
        by: 'author',
        author: { externalId: '502003011' },
      })),
    });
    expect(ALLOWED_UPDATES).toContain('deleted_business_messages');
    const broken = { update_id: 9002, deleted_business_messages: { ...update.deleted_business_messages } };
    broken.deleted_business_messages.message_ids = ['41'] as unknown as number[];
    expect(() => mapUpdate(broken, now)).toThrow(/message_ids/);
  });

  it('files a forwarded command as the forwarded words it is, not as a command to the bot', () => {
    const forwarded = sample('forwarded-channel-post.json');
    forwarded.message.text = '/status ОГ-2025-000321';
    delete forwarded.message.entities;
    const { items, events } = mapUpdate(forwarded, now);
    expect(events).toEqual([]);
    expect(items[0].text).toMatch(/\n\/status ОГ-2025-000321$/);
    expect(items[0].features).toMatchObject({ forwarded: 'true' });
  });

  describe("comments under the official channel's posts (discussion group)", () => {
    const on = { channelComments: true };

    it('are left out unless the account registers them', () => {
      expect(mapUpdate(sample('channel-comment.json'), now)).toEqual({
        items: [],
        events: [],
        skipped: 'group-chat',
      });
    });

    it('a comment on a post is a public open-source message naming the post, one thread per author', () => {
      const { items } = mapUpdate(sample('channel-comment.json'), now, on);
      expect(items).toEqual([
        {
          channel: 'telegram',
          externalId: '-1001987654321:2210',
          receivedAt: new Date(1741603000 * 1000).toISOString(),
          regime: 'message',
          author: { externalId: '502003021', displayName: 'Игорь Ветров' },
          text: [
            'Комментарий к посту канала «Администрация района» https://t.me/adm_rayona/845: «С 10 марта начинается ' +
              'ямочный ремонт дорог в районе. Пишите в комментариях, где нужен ремонт.»',
            'Ул. Лесная, 3 — яма на въезде во двор, машины бьют колёса.',
          ].join('\n'),
          thread: {
            key: 'comments:-1001987654321:2201/from:502003021',
            refersTo: ['sent:-1001987654321:2201'],
          },
          replyAddress: { chatId: -1001987654321, messageId: 2210, public: true },
          features: { source: 'wall', place: 'channel-comments' },
        },
      ]);
    });

    it("a reply to the bot's answer under a comment joins that answer's appeal and keeps what it answers", () => {
      const toUs = sample('channel-comment-reply.json');
      toUs.message.reply_to_message.from = { id: 7000001, is_bot: true, first_name: 'Приёмная' };
      const [answer] = mapUpdate(toUs, now, on).items;
      expect(answer).toMatchObject({
        externalId: '-1001987654321:2215',
        author: { externalId: '502003022', displayName: 'Мария' },
        text: [
          'Комментарий в обсуждении поста канала',
          'И у дома 5 по Лесной то же самое, фото прилагаю',
          'В ответ на ответ: «Ул. Лесная, 3 — яма на въезде во двор, машины бьют колёса.»',
        ].join('\n'),
        thread: {
          key: 'comments:-1001987654321:2201/from:502003022',
          refersTo: ['sent:-1001987654321:2210'],
        },
        attachments: [expect.objectContaining({ remoteRef: 'AgACAgIAAxkBAAIIz2f2' })],
        features: { source: 'wall', place: 'channel-comments' },
      });
    });

    it('a reply chain whose root the Update does not show to be a channel post is no comment', () => {
      // A reply to a reply: message_thread_id names the chain's root, which a plain chain in the group has too.
      expect(mapUpdate(sample('channel-comment-reply.json'), now, on)).toEqual({
        items: [],
        events: [],
        skipped: 'reply-chain',
      });
      // A reply to an ordinary message of the group, not under any post.
      const plain = sample('channel-comment.json');
      plain.message.reply_to_message = {
        message_id: 1990,
        from: { id: 502003099, is_bot: false, first_name: 'Сосед' },
        chat: plain.message.chat,
        date: 1741600000,
        text: 'Кто знает, когда дадут воду?',
      };
      plain.message.message_thread_id = 1990;
      expect(mapUpdate(plain, now, on).skipped).toBe('reply-chain');
    });

    it("a reply to a neighbour's comment is a comment under the post whose copy heads its thread", () => {
      // The copy comes to the bot as a message of the group: left out, and handed to the connector to keep.
      const copy = mapUpdate(sample('channel-post-copy.json'), now, on);
      expect(copy).toEqual({
        items: [],
        events: [],
        skipped: 'channel-post',
        postCopy: {
          chatId: -1001987654321,
          messageId: 2201,
          channelId: -1001123456789,
          heading:
            'Комментарий к посту канала «Администрация района» https://t.me/adm_rayona/845: «С 10 марта начинается ' +
            'ямочный ремонт дорог в районе. Пишите в комментариях, где нужен ремонт.»',
        },
      });
      // A direct comment shows the copy as well.
      expect(mapUpdate(sample('channel-comment.json'), now, on).postCopy).toEqual(copy.postCopy);
      const seen = {
        ...on,
        postCopy: (chat: number, id: number) => (id === 2201 ? copy.postCopy : undefined),
      };
      const [reply] = mapUpdate(sample('channel-comment-reply.json'), now, seen).items;
      expect(reply).toMatchObject({
        externalId: '-1001987654321:2215',
        author: { externalId: '502003022', displayName: 'Мария' },
        text: [
          copy.postCopy!.heading,
          'И у дома 5 по Лесной то же самое, фото прилагаю',
          'В ответ на комментарий: «Ул. Лесная, 3 — яма на въезде во двор, машины бьют колёса.»',
        ].join('\n'),
        // Her own thread under the post, not the neighbour's appeal.
        thread: { key: 'comments:-1001987654321:2201/from:502003022' },
        replyAddress: { chatId: -1001987654321, messageId: 2215, public: true },
        attachments: [expect.objectContaining({ remoteRef: 'AgACAgIAAxkBAAIIz2f2' })],
        features: { source: 'wall', place: 'channel-comments' },
      });
      // On behalf of the post's channel (its staff) it stays out; a thread whose root is no known copy too.
      const staff = sample('channel-comment-reply.json');
      staff.message.sender_chat = { id: -1001123456789, title: 'Администрация района', type: 'channel' };
      expect(mapUpdate(staff, now, seen).skipped).toBe('chat-sender');
      const elsewhere = sample('channel-comment-reply.json');
      elsewhere.message.message_thread_id = 1990;
      expect(mapUpdate(elsewhere, now, seen).skipped).toBe('reply-chain');
    });

    it("a comment on behalf of a chat is that chat's; the channel itself or the group's admins are left out", () => {
      const asChannel = sample('channel-comment.json');
      asChannel.message.from = {
        id: 136817688,
        is_bot: true,
        first_name: 'Channel',
        username: 'Channel_Bot',
      };
      asChannel.message.sender_chat = {
        id: -1005550001111,
        title: 'ТСЖ «Лесная, 3»',
        username: 'tszh_lesnaya3',
        type: 'channel',
      };
      const [item] = mapUpdate(asChannel, now, on).items;
      expect(item).toMatchObject({
        author: { externalId: '-1005550001111', displayName: 'ТСЖ «Лесная, 3» @tszh_lesnaya3' },
        thread: { key: 'comments:-1001987654321:2201/from:-1005550001111' },
        features: { source: 'wall', place: 'channel-comments' },
      });
      const official = sample('channel-comment.json');
      official.message.sender_chat = { id: -1001123456789, title: 'Администрация района', type: 'channel' };
      expect(mapUpdate(official, now, on).skipped).toBe('chat-sender');
    });

    it("leaves out the post's copy, the staff's and bots' messages, chatter outside threads and commands", () => {
      const copy = sample('channel-comment.json');
      const post = { ...copy.message.reply_to_message, chat: copy.message.chat };
      expect(mapUpdate({ update_id: 1, message: post }, now, on).skipped).toBe('channel-post');
      const staff = sample('channel-comment.json');
      staff.message.sender_chat = { id: -1001987654321, type: 'supergroup', title: 'Обсуждение' };
      expect(mapUpdate(staff, now, on).skipped).toBe('chat-sender');
      const bot = sample('channel-comment.json');
      bot.message.from.is_bot = true;
      expect(mapUpdate(bot, now, on).skipped).toBe('bot-message');
      const chatter = sample('channel-comment.json');
      delete chatter.message.reply_to_message;
      delete chatter.message.message_thread_id;
      expect(mapUpdate(chatter, now, on).skipped).toBe('group-chat');
      const plainGroup = sample('channel-comment.json');
      plainGroup.message.chat.type = 'group';
      expect(mapUpdate(plainGroup, now, on).skipped).toBe('group-chat');
      // «/start» under a post is words, not a private command the bot would answer in public.
      const command = sample('channel-comment.json');
      command.message.text = '/status ОГ-2025-000321';
      expect(mapUpdate(command, now, on).items[0].text).toContain('/status ОГ-2025-000321');
    });
  });
});
