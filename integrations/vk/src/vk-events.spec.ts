import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cleanText, decodeJsonBody } from '@inbox/integrations/contract';
import { parseVkEvent } from './vk-events';

// Our own event bodies in the shapes VK sends (test/fixtures/vk); the real ones are checked by the conformance
// suite (test/conformance).
const SAMPLES = path.resolve(__dirname, '../../../test/fixtures/vk');
const raw = (name: string) => readFileSync(path.join(SAMPLES, name));
const sample = (name: string) => decodeJsonBody(raw(name)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ctx = { groupId: 218840017 };
const PHOTO = {
  type: 'photo',
  photo: {
    id: 457239777,
    owner_id: 604117233,
    sizes: [{ type: 'x', url: 'https://sun9-1.userapi.com/impg/yard.jpg', width: 604, height: 453 }],
  },
};

describe('parseVkEvent', () => {
  it('message_new → a message item in the peer thread, answered by peerId', () => {
    const { items, events, problem } = parseVkEvent(sample('message-new.json'), ctx);
    expect(problem).toBeUndefined();
    expect(events).toEqual([]);
    expect(items).toEqual([
      {
        channel: 'vk',
        externalId: 'msg:604117233:318',
        receivedAt: new Date(1741602000 * 1000).toISOString(),
        regime: 'message',
        author: { externalId: '604117233' },
        text: 'Здравствуйте, когда включат горячую воду на ул. Мира, 3?',
        attachments: [],
        thread: { key: 'peer:604117233' },
        replyAddress: { peerId: 604117233 },
        features: { source: 'messages' },
      },
    ]);
  });

  it('leaves a group chat (peer_id from 2e9) out with the reason, messages and button presses alike', () => {
    expect(parseVkEvent(sample('message-new-chat.json'), ctx)).toEqual({
      items: [],
      events: [],
      skipped: 'group-chat',
    });
    const press = sample('message-event.json');
    press.object.peer_id = 2000000004;
    expect(parseVkEvent(press, ctx)).toEqual({ items: [], events: [], skipped: 'group-chat' });
  });

  it("names the community's message a reply answers, so the reply joins that message's appeal", () => {
    const event = sample('message-new.json');
    event.object.message.reply_message = {
      date: 1741601000,
      from_id: -218840017,
      text: 'Ответ на обращение № 2025-000318: горячую воду включат 15 марта.',
      attachments: [],
      conversation_message_id: 310,
      peer_id: 604117233,
      id: 2199,
    };
    expect(parseVkEvent(event, ctx).items[0].thread).toEqual({
      key: 'peer:604117233',
      refersTo: ['sent:604117233:2199'],
    });
  });

  it("turns a citizen's edit into a correction of the message it edits, and leaves the community's own edits out", () => {
    expect(parseVkEvent(sample('message-edit.json'), ctx)).toEqual({
      items: [],
      events: [],
      skipped: 'own-message',
    });
    const citizens = sample('message-edit.json');
    citizens.object.out = 0;
    expect(parseVkEvent(citizens, ctx).items).toEqual([
      {
        channel: 'vk',
        externalId: 'msg:604117240:2215:edit:1741602160',
        receivedAt: new Date(1741602160 * 1000).toISOString(),
        regime: 'message',
        author: { externalId: '604117240' },
        text: 'Исправленный ответ',
        attachments: [],
        thread: { key: 'peer:604117240' },
        replyAddress: { peerId: 604117240 },
        features: { source: 'messages', correctionOf: 'msg:604117240:2215' },
      },
    ]);
  });

  it('reads the BOM-prefixed, emoji-mangled template payload', () => {
    const bytes = raw('message-new-template.json');
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const { items } = parseVkEvent(decodeJsonBody(bytes), ctx);
    expect(items.map((i) => i.externalId)).toEqual(['msg:604117233:340']);
  });

  it("reads the citizen's words VK HTML-escaped (and older versions' <br>) as typed", () => {
    const event = sample('message-new.json');
    event.object.message.text = 'Дом &quot;5А&quot;<br>во дворе &lt;яма&gt; &amp; лужа';
    expect(parseVkEvent(event, ctx).items[0].text).toBe('Дом "5А"\nво дворе <яма> & лужа');
  });

  it('keeps the older message_new shape (object is the message) working', () => {
    const old = sample('message-edit.json');
    old.type = 'message_new';
    old.object.out = 0;
    const { items } = parseVkEvent(old, ctx);
    expect(items[0]).toMatchObject({ externalId: 'msg:604117240:2215', text: 'Исправленный ответ' });
  });

  it('reads a message dated past the year 9999 as come when read (its date threw a RangeError)', () => {
    const far = sample('message-edit.json');
    far.type = 'message_new';
    far.object.out = 0;
    far.object.date = 9_000_000_000_000;
    const before = Date.now();
    const { items } = parseVkEvent(far, ctx);
    expect(items[0]).toMatchObject({ externalId: 'msg:604117240:2215', text: 'Исправленный ответ' });
    expect(Date.parse(items[0].receivedAt)).toBeGreaterThanOrEqual(before);
  });

  it('reads a date in milliseconds as that instant, not as the moment it was read', () => {
    const event = sample('message-edit.json');
    event.type = 'message_new';
    event.object.out = 0;
    event.object.date = 1741601000123;
    expect(parseVkEvent(event, ctx).items[0].receivedAt).toBe('2025-03-10T10:03:20.123Z');
  });

  it('reads a message_new of an API version before 5.80 (user_id and body)', () => {
    const event = {
      type: 'message_new',
      object: {
        id: 43,
        date: 1741602100,
        out: 0,
        user_id: 604117255,
        read_state: 0,
        title: ' ... ',
        body: 'Не вывозят мусор 😡 ул. Лесная, 7',
        attachments: [],
      },
      group_id: 218840017,
    };
    expect(parseVkEvent(event, ctx).items).toEqual([
      expect.objectContaining({
        externalId: 'msg:604117255:43',
        author: { externalId: '604117255' },
        text: 'Не вывозят мусор 😡 ул. Лесная, 7',
        replyAddress: { peerId: 604117255 },
      }),
    ]);
    // The community's own message (out = 1) in that shape is still ours, not an item.
    expect(parseVkEvent({ ...event, object: { ...event.object, out: 1 } }, ctx).items).toEqual([]);
  });

  it('takes the largest size of a photo attachment and a document by URL', () => {
    const event = sample('message-new.json');
    const photo = sample('photo-new.json').object;
    event.object.message.attachments = [
      { type: 'photo', photo },
      {
        type: 'doc',
        doc: {
          id: 5,
          owner_id: 123,
          title: 'Заявление',
          ext: 'pdf',
          size: 1000,
          url: 'https://vk.com/doc123_5',
        },
      },
    ];
    const { items } = parseVkEvent(event, ctx);
    expect(items[0].attachments).toEqual([
      {
        fileName: 'photo-218840017_457239101.jpg',
        contentType: 'image/jpeg',
        remoteRef: 'https://sun9-12.userapi.example/s/v1/ig2/Qm9hcmRQaG90bzQx_z.jpg',
        uniqueKey: 'vk:photo:-218840017_457239101',
      },
      {
        fileName: 'Заявление.pdf',
        contentType: 'application/pdf',
        remoteRef: 'https://vk.com/doc123_5',
        size: 1000,
        uniqueKey: 'vk:doc:123_5',
      },
    ]);
    // The API before 5.77 gave a photo's copies as photo_<width> links, not sizes.
    event.object.message.attachments = [
      {
        type: 'photo',
        photo: {
          id: 9,
          owner_id: 123,
          photo_75: 'https://pp.userapi.example/s.jpg',
          photo_604: 'https://pp.userapi.example/x.jpg',
          photo_130: 'https://pp.userapi.example/m.jpg',
        },
      },
    ];
    expect(parseVkEvent(event, ctx).items[0].attachments?.map((a) => a.remoteRef)).toEqual([
      'https://pp.userapi.example/x.jpg',
    ]);
  });

  it('types a document by the shared table: a scan in TIFF or HEIC is an image, not an unknown file', () => {
    const event = sample('message-new.json');
    const doc = (id: number, title: string, ext: string) => ({
      type: 'doc',
      doc: { id, owner_id: 123, title, ext, size: 10, url: `https://vk.com/doc123_${id}` },
    });
    event.object.message.attachments = [doc(6, 'Скан', 'TIF'), doc(7, 'Фото двора', 'heic')];
    expect(parseVkEvent(event, ctx).items[0].attachments?.map((a) => [a.fileName, a.contentType])).toEqual([
      ['Скан.tif', 'image/tiff'],
      ['Фото двора.heic', 'image/heic'],
    ]);
  });

  it('wall_post_new → an open-source message (8-ФЗ) answered as a comment on the post', () => {
    const { items } = parseVkEvent(sample('wall-post-new.json'), ctx);
    expect(items[0]).toMatchObject({
      externalId: 'wall:-218840017_41',
      regime: 'message',
      features: { source: 'wall' },
      thread: { key: 'post:-218840017_41' },
      replyAddress: { ownerId: -218840017, postId: 41 },
      author: { externalId: '604117260' },
    });
  });

  it('skips posts by the community itself; a suggested post is answered in private messages', () => {
    const own = sample('wall-post-new.json');
    own.object.from_id = -218840017;
    expect(parseVkEvent(own, ctx).items).toEqual([]);
    const suggested = sample('wall-post-new.json');
    suggested.object.post_type = 'suggest';
    expect(parseVkEvent(suggested, ctx).items[0].replyAddress).toEqual({ peerId: 604117260 });
  });

  it('wall_reply_new → a per-author thread under the post that refers to the post', () => {
    const { items } = parseVkEvent(sample('wall-reply-new.json'), ctx);
    expect(items[0]).toMatchObject({
      externalId: 'reply:-218840017_41_57',
      features: { source: 'wall' },
      thread: { key: 'post:-218840017_41/from:604117261', refersTo: ['post:-218840017_41'] },
      replyAddress: { ownerId: -218840017, postId: 41, commentId: 57 },
    });
  });

  it("names the comment a wall comment replies to: a reply to the community's answer joins its appeal", () => {
    // The community answered comment 57 with comment 63 (its key, once delivered: VkConnector.threadKeysOfSent).
    const reply = sample('wall-reply-new.json');
    reply.object.id = 64;
    reply.object.text = '[club218840017|Администрация], фонарь так и не горит';
    reply.object.reply_to_user = -218840017;
    reply.object.reply_to_comment = 63;
    reply.object.parents_stack = [57];
    expect(parseVkEvent(reply, ctx).items[0]).toMatchObject({
      text: 'Администрация, фонарь так и не горит',
      thread: {
        key: 'post:-218840017_41/from:604117261',
        refersTo: ['post:-218840017_41', 'post:-218840017_41/comment:63'],
      },
    });
  });

  it("wall_reply_edit → the citizen's new wording, a correction of the comment in its thread", () => {
    const { items } = parseVkEvent(sample('wall-reply-edit.json'), ctx);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      externalId: expect.stringMatching(/^reply:-218840017_41_57:edit:[0-9a-f]{16}$/),
      text: 'Поддерживаю, у нас то же самое уже неделю',
      author: { externalId: '604117261' },
      thread: { key: 'post:-218840017_41/from:604117261', refersTo: ['post:-218840017_41'] },
      replyAddress: { ownerId: -218840017, postId: 41, commentId: 57 },
      features: { source: 'wall', correctionOf: 'reply:-218840017_41_57' },
    });
    // Redelivered: the same item; edited again: another.
    expect(parseVkEvent(sample('wall-reply-edit.json'), ctx).items[0].externalId).toBe(items[0].externalId);
    const again = sample('wall-reply-edit.json');
    again.object.text += ', дом 12';
    expect(parseVkEvent(again, ctx).items[0].externalId).not.toBe(items[0].externalId);
    // The community's own comment edited: ours.
    const ours = sample('wall-reply-edit.json');
    ours.object.from_id = -218840017;
    expect(parseVkEvent(ours, ctx)).toEqual({ items: [], events: [], skipped: 'own-comment' });
    const broken = sample('wall-reply-edit.json');
    delete broken.object.post_id;
    expect(parseVkEvent(broken, ctx).problem).toBe('wall_reply_edit without id, post_id or from_id');
  });

  it('a post in a discussion board and a comment under a photo are open-source messages answered in private', () => {
    const board = {
      type: 'board_post_new',
      group_id: 218840017,
      event_id: 'b1',
      v: '5.199',
      object: {
        id: 58,
        from_id: 604117290,
        date: 1741606000,
        text: 'В разделе «Жалобы»: на ул. Садовой не работает светофор',
        topic_id: 49912345,
        topic_owner_id: -218840017,
      },
    };
    expect(parseVkEvent(board, ctx).items).toEqual([
      {
        channel: 'vk',
        externalId: 'board-comment:-218840017_49912345_58',
        receivedAt: new Date(1741606000 * 1000).toISOString(),
        regime: 'message',
        author: { externalId: '604117290' },
        text: 'В разделе «Жалобы»: на ул. Садовой не работает светофор',
        attachments: [],
        thread: { key: 'board:-218840017_49912345/from:604117290', refersTo: ['board:-218840017_49912345'] },
        replyAddress: { peerId: 604117290 },
        features: { source: 'wall', place: 'board' },
      },
    ]);
    const photo = {
      type: 'photo_comment_new',
      group_id: 218840017,
      object: {
        id: 7,
        from_id: 604117291,
        date: 1741606100,
        text: 'Это наш двор',
        photo_id: 457239101,
        photo_owner_id: -218840017,
      },
    };
    expect(parseVkEvent(photo, ctx).items[0]).toMatchObject({
      externalId: 'photo-comment:-218840017_457239101_7',
    });
    expect(parseVkEvent({ ...photo, object: { ...photo.object, from_id: -218840017 } }, ctx)).toEqual({
      items: [],
      events: [],
      skipped: 'community-comment',
    });
    expect(parseVkEvent({ ...board, object: { id: 1, from_id: 5 } }, ctx).problem).toMatch(/topic_id/);
    // Edited there too: a correction of the comment, in its thread.
    const edited = {
      ...photo,
      type: 'photo_comment_edit',
      object: { ...photo.object, text: 'Это наш двор, дом 4' },
    };
    expect(parseVkEvent(edited, ctx).items[0]).toMatchObject({
      externalId: expect.stringMatching(/^photo-comment:-218840017_457239101_7:edit:[0-9a-f]{16}$/),
      text: 'Это наш двор, дом 4',
      thread: { key: 'photo:-218840017_457239101/from:604117291' },
      features: { source: 'wall', place: 'photo', correctionOf: 'photo-comment:-218840017_457239101_7' },
    });
    const boardEdit = { ...board, type: 'board_post_edit', object: { id: 1, from_id: 5 } };
    expect(parseVkEvent(boardEdit, ctx).problem).toMatch(/^board_post_edit without .*topic_id/);
  });

  it('ignores our own comments, so answers do not loop back as items', () => {
    const ours = sample('wall-reply-new.json');
    ours.object.from_id = -218840017;
    expect(parseVkEvent(ours, ctx).items).toEqual([]);
  });

  it('message_event → a button interaction with the event id to acknowledge', () => {
    const { items, events } = parseVkEvent(sample('message-event.json'), ctx);
    expect(items).toEqual([]);
    expect(events[0]).toMatchObject({
      kind: 'interaction',
      action: 'button',
      externalId: 'event:3b1f9a27c0de',
      callbackId: '3b1f9a27c0de',
      author: { externalId: '604117233' },
      thread: { key: 'peer:604117233' },
    });
    expect(JSON.parse((events[0] as { value: string }).value)).toEqual(
      sample('message-event.json').object.payload,
    );
  });

  it('a rating payload (text button or callback button) → RatingEvent', () => {
    const msg = sample('message-new.json');
    msg.object.message.payload = '{"rate":"01-25/7","answered":"yes"}';
    expect(parseVkEvent(msg, ctx).events[0]).toMatchObject({
      kind: 'rating',
      externalId: 'rate:604117233:318',
      answered: true,
      target: { registrationNumber: '01-25/7', threadKey: 'peer:604117233' },
    });
    const event = sample('message-event.json');
    event.object.payload = { rate: '01-25/7', sat: 'no' };
    expect(parseVkEvent(event, ctx).events[0]).toMatchObject({
      kind: 'rating',
      satisfaction: 'not-satisfied',
    });
  });

  it("keeps a message sent with a keyboard we never sent as the citizen's: a location button's place, a label", () => {
    const [place] = parseVkEvent(sample('message-new-location-button.json'), ctx).items;
    expect(place).toMatchObject({
      externalId: 'msg:604117233:331',
      text: 'Геопозиция: Новосибирск, улица Ленина, Новосибирск (55.030204,82.92043)',
      features: { location: '55.030204,82.92043' },
    });
    const label = sample('message-new.json');
    label.object.message.text = 'Подать заявку';
    label.object.message.payload = '{"cmd":"new_request"}';
    const parsed = parseVkEvent(label, ctx);
    expect(parsed.events).toEqual([]);
    expect(parsed.items[0].text).toBe('Подать заявку');
    // Our own buttons stay presses: the consent button, with its label as text.
    const ours = sample('message-new.json');
    ours.object.message.text = 'Согласен';
    ours.object.message.payload = '{"button":"consent:accept"}';
    expect(parseVkEvent(ours, ctx)).toMatchObject({
      items: [],
      events: [{ kind: 'interaction', action: 'button', value: 'consent:accept' }],
    });
  });

  it('names a call the citizen made to the community, which has no file or words of its own', () => {
    const msg = sample('message-new.json');
    msg.object.message.text = '';
    msg.object.message.attachments = [
      {
        type: 'call',
        call: {
          initiator_id: 604117233,
          receiver_id: -218840017,
          state: 'canceled_by_initiator',
          time: 1741606100,
          duration: 0,
          video: false,
        },
      },
    ];
    expect(parseVkEvent(msg, ctx).items[0].text).toBe(
      'Звонок ВКонтакте: звонки не принимаются, ответьте в переписке',
    );
  });

  it('VK\'s "Начать" button is a start interaction', () => {
    const msg = sample('message-new.json');
    msg.object.message.payload = '{"command":"start"}';
    expect(parseVkEvent(msg, ctx).events[0]).toMatchObject({ kind: 'interaction', action: 'start' });
  });

  it('reads mentions as the names they show, and a forwarded message as whose it is', () => {
    const [comment] = parseVkEvent(sample('wall-reply-mention.json'), ctx).items;
    expect(comment).toMatchObject({
      externalId: 'reply:-218840017_41_63',
      text:
        'Ольга, у нас в доме 7 тоже третий день нет горячей воды. Администрация Заречного района, когда дадут? ' +
        'Подробности в посте (https://vk.com/wall-218840017_41)',
      replyAddress: { ownerId: -218840017, postId: 41, commentId: 63 },
    });
    const msg = sample('message-new.json');
    msg.object.message.text = 'Вот что пишут';
    msg.object.message.fwd_messages = [
      {
        date: 1741600000,
        from_id: -218840017,
        text: '[id604117261|Ольга], ответ будет до пятницы',
        conversation_message_id: 12,
      },
      { date: 1741600100, text: 'без автора' },
    ];
    expect(parseVkEvent(msg, ctx).items[0].text).toBe(
      [
        'Вот что пишут',
        'Пересланное сообщение (https://vk.com/club218840017):',
        'Ольга, ответ будет до пятницы',
        'Пересланное сообщение:',
        'без автора',
      ].join('\n'),
    );
    // Square brackets that are not a mention stay as written.
    msg.object.message.fwd_messages = [];
    msg.object.message.text = 'Дом [корпус 2|подъезд 3] и [id12] без имени';
    expect(parseVkEvent(msg, ctx).items[0].text).toBe('Дом [корпус 2|подъезд 3] и [id12] без имени');
  });

  it('a wall post or comment with nothing we can read still reaches a clerk, saying so', () => {
    const post = sample('wall-post-new.json');
    post.object.text = '';
    post.object.attachments = [];
    delete post.object.copy_history;
    expect(parseVkEvent(post, ctx).items[0].text).toBe('Сообщение не распознано. Откройте запись в VK.');
    const comment = sample('wall-reply-new.json');
    delete comment.object.text;
    expect(parseVkEvent(comment, ctx).items[0].text).toBe(
      'Сообщение не распознано. Откройте комментарий в VK.',
    );
  });

  it('wall_reply_delete → a withdrawal of the comment as wall_reply_new named it, by the deleter', () => {
    const { items, events, problem } = parseVkEvent(sample('wall-reply-delete.json'), ctx);
    expect(problem).toBeUndefined();
    expect(items).toEqual([]);
    expect(events).toEqual([
      {
        kind: 'withdrawal',
        channel: 'vk',
        externalId: 'deleted:reply:-218840017_41_57',
        receivedAt: expect.any(String),
        // The id wall_reply_new gave the same comment.
        target: { externalId: parseVkEvent(sample('wall-reply-new.json'), ctx).items[0].externalId },
        by: 'author',
        author: { externalId: '604117261' },
      },
    ]);
    // The community deleting its own answer needs nothing; an event without the deleter is not read.
    const own = sample('wall-reply-delete.json');
    own.object.deleter_id = -218840017;
    expect(parseVkEvent(own, ctx)).toEqual({ items: [], events: [], skipped: 'own-reply-delete' });
    const broken = sample('wall-reply-delete.json');
    delete broken.object.deleter_id;
    expect(parseVkEvent(broken, ctx).problem).toMatch(/wall_reply_delete/);
  });

  it("message_deny and message_allow → the citizen's dialogue closed to us and open again, noted on its appeal", () => {
    const allowed = sample('message-allow.json');
    const userId = allowed.object.user_id as number;
    const denied = {
      type: 'message_deny',
      object: { user_id: userId },
      group_id: 218840017,
      event_id: 'a1b2c3',
    };
    expect(parseVkEvent(denied, ctx)).toEqual({
      items: [],
      events: [
        {
          kind: 'reachability',
          channel: 'vk',
          externalId: `deny:${userId}:a1b2c3`,
          receivedAt: expect.any(String),
          target: { threadKey: `peer:${userId}` },
          reachable: false,
          author: { externalId: String(userId) },
        },
      ],
    });
    expect(parseVkEvent(allowed, ctx).events).toEqual([
      expect.objectContaining({
        kind: 'reachability',
        externalId: expect.stringMatching(new RegExp(`^allow:${userId}:`)),
        target: { threadKey: `peer:${userId}` },
        reachable: true,
      }),
    ]);
    expect(parseVkEvent({ type: 'message_deny', object: {} }, ctx).problem).toBe(
      'message_deny without user_id',
    );
  });

  it('unknown and uninteresting event types yield nothing, acknowledged with the type for the log', () => {
    for (const [name, type] of [
      ['group-join.json', 'group_join'],
      ['group-leave.json', 'group_leave'],
      ['message-reply.json', 'message_reply'],
      ['photo-new.json', 'photo_new'],
    ]) {
      expect(parseVkEvent(sample(name), ctx)).toEqual({
        items: [],
        events: [],
        skipped: `event-type:${type}`,
      });
    }
    // Nothing is left out without its reason for the log: the community's own edit, a chat's service message, a
    // post the community itself put on its wall.
    expect(parseVkEvent(sample('message-edit.json'), ctx)).toEqual({
      items: [],
      events: [],
      skipped: 'own-message',
    });
    const joined = sample('message-new.json');
    joined.object.message.action = { type: 'chat_invite_user', member_id: 5 };
    expect(parseVkEvent(joined, ctx)).toEqual({ items: [], events: [], skipped: 'chat-action' });
    const communityPost = sample('wall-post-new.json');
    communityPost.object.from_id = -218840017;
    expect(parseVkEvent(communityPost, ctx)).toEqual({ items: [], events: [], skipped: 'community-post' });
    expect(parseVkEvent({ type: 'Иван Петров', object: {} }, ctx).skipped).toBe('event-type:unknown');
  });

  it('reads voice messages, reposts, links, videos, forwarded messages and a place; says what it cannot read', () => {
    const { items, problem } = parseVkEvent(sample('message-new-attachments.json'), ctx);
    expect(problem).toBeUndefined();
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item.text).toBe(
      [
        'Посмотрите, что во дворе',
        'Голосовое сообщение',
        'Запись со стены: https://vk.com/wall-218840017_4410',
        'Отключение отопления по ул. Лесной до 15:00',
        'Видео: Затопило подвал https://vk.com/video604117233_456239017',
        'Ссылка: Аварийные отключения — https://example.org/outages',
        'Вложение не распознано (hologram)',
        'Пересланное сообщение (https://vk.com/id604117299):',
        'Соседи, у кого тоже нет воды?',
        'Геопозиция: Новосибирск (55.030204,82.92043)',
      ].join('\n'),
    );
    expect(item.attachments).toEqual([
      {
        fileName: 'voice604117233_677812003.ogg',
        contentType: 'audio/ogg',
        remoteRef: 'https://psv4.userapi.com/c4242/u604117233/audiomsg/d1/a1b2c3.ogg',
        uniqueKey: 'vk:audio_message:604117233_677812003',
      },
      {
        fileName: 'photo-218840017_457239150.jpg',
        contentType: 'image/jpeg',
        remoteRef: 'https://sun9-77.userapi.com/impg/wall_x.jpg',
        uniqueKey: 'vk:photo:-218840017_457239150',
      },
      {
        fileName: 'Акт.pdf',
        contentType: 'application/pdf',
        remoteRef: 'https://vk.com/doc604117299_680001',
        size: 2048,
        uniqueKey: 'vk:doc:604117299_680001',
      },
    ]);
    expect(item.address).toBe('Новосибирск');
    expect(item.features).toMatchObject({ location: '55.030204,82.92043' });
  });

  it('says what it does not read: forwards nested past three levels, a document without a link, a forwarded place', () => {
    const msg = sample('message-new.json');
    msg.object.message.text = 'Переписка с управляющей компанией';
    const forward = (fromId: number, text: string, inner?: unknown[]) => ({
      date: 1741600000,
      from_id: fromId,
      text,
      ...(inner ? { fwd_messages: inner } : {}),
    });
    msg.object.message.fwd_messages = [
      forward(604117299, 'Пересылаю ответ УК', [
        forward(-218840099, 'УК: заявка принята', [
          forward(604117300, 'Заявка от 3 марта', [
            forward(604117301, 'Течёт крыша над 5 подъездом'),
            forward(604117301, 'Фото потолка'),
          ]),
        ]),
      ]),
    ];
    expect(parseVkEvent(msg, ctx).items[0].text).toBe(
      [
        'Переписка с управляющей компанией',
        'Пересланное сообщение (https://vk.com/id604117299):',
        'Пересылаю ответ УК',
        'Пересланное сообщение (https://vk.com/club218840099):',
        'УК: заявка принята',
        'Пересланное сообщение (https://vk.com/id604117300):',
        'Заявка от 3 марта',
        'Ещё пересланные сообщения (2) не показаны: откройте диалог в VK.',
      ].join('\n'),
    );
    // A document whose owner closed it comes without `url`: named, not «не распознано», and no file to fetch.
    const closed = sample('message-new.json');
    closed.object.message.text = '';
    closed.object.message.attachments = [
      { type: 'doc', doc: { id: 680002, owner_id: 604117233, title: 'Заявление', ext: 'pdf', size: 4096 } },
    ];
    expect(parseVkEvent(closed, ctx).items[0]).toMatchObject({
      text: 'Вложение не получено: «Заявление.pdf» (ВКонтакте не дал ссылку на файл)',
      attachments: [],
    });
    // A neighbour's place, forwarded: its coordinates under the heading, not a heading over nothing.
    const place = sample('message-new.json');
    place.object.message.text = '';
    place.object.message.fwd_messages = [
      {
        from_id: 604117299,
        text: '',
        geo: { type: 'point', coordinates: { latitude: 55.03, longitude: 82.92 } },
      },
    ];
    expect(parseVkEvent(place, ctx).items[0].text).toBe(
      'Пересланное сообщение (https://vk.com/id604117299):\nГеопозиция: 55.03,82.92',
    );
    // A repost inside a repost inside forwards, past the depth read: its files are said to be behind the link.
    const repost = sample('message-new.json');
    repost.object.message.text = '';
    repost.object.message.fwd_messages = [
      forward(604117299, '', [
        forward(604117300, '', [
          {
            ...forward(604117301, ''),
            attachments: [
              { type: 'wall', wall: { id: 7, owner_id: -9, text: 'Новость', attachments: [PHOTO] } },
            ],
          },
        ]),
      ]),
    ];
    expect(parseVkEvent(repost, ctx).items[0].text).toContain(
      'Запись со стены: https://vk.com/wall-9_7\nНовость\nВложения записи не показаны: откройте её по ссылке.',
    );
  });

  it('a voice message alone still has words for the clerk; a sticker alone is left out; an empty message is said', () => {
    const voice = sample('message-new.json');
    voice.object.message.text = '';
    voice.object.message.attachments = [
      {
        type: 'audio_message',
        audio_message: {
          id: 1,
          owner_id: 604117233,
          duration: 4,
          link_mp3: 'https://psv4.userapi.com/a.mp3',
          transcript: 'Лифт не работает третий день',
          transcript_state: 'done',
        },
      },
    ];
    expect(parseVkEvent(voice, ctx).items[0]).toMatchObject({
      text: 'Голосовое сообщение (расшифровка VK): Лифт не работает третий день',
      attachments: [{ fileName: 'voice604117233_1.mp3', contentType: 'audio/mpeg' }],
    });
    const sticker = sample('message-new.json');
    sticker.object.message.text = '';
    sticker.object.message.attachments = [{ type: 'sticker', sticker: { product_id: 1, sticker_id: 9 } }];
    expect(parseVkEvent(sticker, ctx)).toEqual({ items: [], events: [], skipped: 'sticker' });
    // A gift is a gift (it was logged as a sticker); with a photo and no words, the clerk reads what came.
    const gift = sample('message-new.json');
    gift.object.message.text = '';
    gift.object.message.attachments = [
      { type: 'gift', gift: { id: 1052, thumb_256: 'https://vk.com/g.png' } },
    ];
    expect(parseVkEvent(gift, ctx)).toEqual({ items: [], events: [], skipped: 'gift' });
    gift.object.message.attachments.push({ type: 'sticker', sticker: { product_id: 1, sticker_id: 9 } });
    expect(parseVkEvent(gift, ctx)).toEqual({ items: [], events: [], skipped: 'gift' });
    gift.object.message.attachments.push(PHOTO);
    expect(parseVkEvent(gift, ctx).items[0]).toMatchObject({
      text: 'Подарок ВКонтакте\nСтикер',
      attachments: [expect.anything()],
    });
    gift.object.message.text = 'С праздником! Спасибо за двор';
    expect(parseVkEvent(gift, ctx).items[0].text).toBe('С праздником! Спасибо за двор');
    // One attachment or one forwarded message given alone, not in a list: read, not dropped.
    const lone = sample('message-new.json');
    lone.object.message.text = '';
    lone.object.message.attachments = PHOTO;
    lone.object.message.fwd_messages = { from_id: 604117299, text: 'Трубу прорвало' };
    expect(parseVkEvent(lone, ctx).items[0]).toMatchObject({
      text: 'Пересланное сообщение (https://vk.com/id604117299):\nТрубу прорвало',
      attachments: [expect.objectContaining({ remoteRef: 'https://sun9-1.userapi.com/impg/yard.jpg' })],
    });
    // A forwarded sticker alone is named under its heading, not a heading over nothing.
    const forwarded = sample('message-new.json');
    forwarded.object.message.text = '';
    forwarded.object.message.fwd_messages = [
      { from_id: 604117299, text: '', attachments: [{ type: 'sticker', sticker: { sticker_id: 9 } }] },
    ];
    expect(parseVkEvent(forwarded, ctx).items[0].text).toBe(
      'Пересланное сообщение (https://vk.com/id604117299):\nСтикер',
    );
    const emoji = sample('message-new.json');
    emoji.object.message.text = '🙏🙏';
    emoji.object.message.attachments = [];
    expect(parseVkEvent(emoji, ctx)).toEqual({ items: [], events: [], skipped: 'emoji' });
    emoji.object.message.text = 'Яма 🕳 во дворе';
    expect(parseVkEvent(emoji, ctx).items[0].text).toBe('Яма 🕳 во дворе');
    const comment = sample('wall-reply-new.json');
    comment.object.text = '👍';
    comment.object.attachments = [];
    expect(parseVkEvent(comment, ctx)).toEqual({ items: [], events: [], skipped: 'emoji' });
    const empty = sample('message-new.json');
    empty.object.message.text = '';
    expect(parseVkEvent(empty, ctx).items[0].text).toBe('Сообщение не распознано. Откройте диалог в VK.');
    // A photo alone is read (its file is the message), not «не распознано».
    const photoOnly = sample('message-new.json');
    photoOnly.object.message.text = '';
    photoOnly.object.message.attachments = [PHOTO];
    expect(parseVkEvent(photoOnly, ctx).items[0]).toMatchObject({
      text: '',
      attachments: [expect.anything()],
    });
    // A wall post of emoji alone or a sticker alone is a reaction, as a comment of them is; with a photo, a post.
    const post = sample('wall-post-new.json');
    post.object.text = '😡😡';
    post.object.attachments = [];
    expect(parseVkEvent(post, ctx)).toEqual({ items: [], events: [], skipped: 'emoji' });
    post.object.text = '';
    post.object.attachments = [{ type: 'sticker', sticker: { product_id: 1, sticker_id: 9 } }];
    expect(parseVkEvent(post, ctx)).toEqual({ items: [], events: [], skipped: 'sticker' });
    post.object.text = '😡';
    post.object.attachments = [PHOTO];
    expect(parseVkEvent(post, ctx).items[0]).toMatchObject({ text: '😡', attachments: [expect.anything()] });
    // Edited into emoji alone: a reaction, not a correction, whatever files the message had.
    const edit = sample('message-edit.json');
    edit.object.out = 0;
    edit.object.text = '👍';
    edit.object.attachments = [PHOTO];
    expect(parseVkEvent(edit, ctx)).toEqual({ items: [], events: [], skipped: 'emoji' });
    const replyEdit = sample('wall-reply-edit.json');
    replyEdit.object.text = '🙏';
    replyEdit.object.attachments = [PHOTO];
    expect(parseVkEvent(replyEdit, ctx)).toEqual({ items: [], events: [], skipped: 'emoji' });
    // API < 5.103: the object is the message, and geo.coordinates a string.
    const old = sample('message-new.json');
    old.object = { ...old.object.message, geo: { type: 'point', coordinates: '55.75 37.61' } };
    expect(parseVkEvent(old, ctx).items[0]).toMatchObject({ address: '55.75,37.61' });
  });

  it('reads the current API shapes: the original photo, clips, articles, a forwarded repost, a title with a path', () => {
    const event = sample('message-new.json');
    event.object.message.text = '👩‍👩‍👧 Двор ул. Лесной — см. вложения';
    event.object.message.attachments = [
      {
        type: 'photo',
        photo: {
          id: 457239300,
          owner_id: 604117233,
          access_key: 'f00d',
          // API 5.199: the original beside the sizes, whose «base» copy says 0×0.
          orig_photo: {
            type: 'base',
            url: 'https://sun9-5.userapi.example/orig.jpg',
            width: 2560,
            height: 1920,
          },
          sizes: [
            { type: 's', url: 'https://sun9-5.userapi.example/s.jpg', width: 75, height: 56 },
            { type: 'base', url: 'https://sun9-5.userapi.example/base.jpg', width: 0, height: 0 },
          ],
        },
      },
      { type: 'clip', clip: { id: 456239001, owner_id: -218840017, title: 'Прорыв трубы' } },
      {
        type: 'article',
        article: {
          id: 1,
          owner_id: -218840017,
          title: 'График отключений',
          url: 'https://vk.com/@nsk-grafik',
        },
      },
      {
        type: 'wall',
        wall: {
          id: 4500,
          owner_id: 604117299,
          from_id: 604117299,
          text: '',
          copy_history: [
            { id: 4410, owner_id: -218840017, from_id: -218840017, text: 'Отключение воды до 18:00' },
          ],
        },
      },
      {
        type: 'doc',
        doc: {
          id: 7,
          owner_id: 604117233,
          title: '..\\..\\Жалоба\nв УК',
          ext: 'docx',
          url: 'https://vk.com/doc604117233_7',
        },
      },
    ];
    const [item] = parseVkEvent(event, ctx).items;
    expect(item.text).toBe(
      [
        '👩‍👩‍👧 Двор ул. Лесной — см. вложения',
        'Клип: Прорыв трубы https://vk.com/clip-218840017_456239001',
        'Статья: График отключений — https://vk.com/@nsk-grafik',
        'Запись со стены: https://vk.com/wall604117299_4500',
        'Запись со стены: https://vk.com/wall-218840017_4410',
        'Отключение воды до 18:00',
      ].join('\n'),
    );
    expect(item.attachments?.map((a) => [a.fileName, a.remoteRef])).toEqual([
      ['photo604117233_457239300.jpg', 'https://sun9-5.userapi.example/orig.jpg'],
      ['Жалоба в УК.docx', 'https://vk.com/doc604117233_7'],
    ]);
    // An edit sends the same files again: the same keys, so the appeal does not list them twice.
    const edit = sample('message-edit.json');
    edit.object = { ...event.object.message, update_time: 1741500000 };
    const [corrected] = parseVkEvent(edit, ctx).items;
    expect(corrected.attachments?.map((a) => a.uniqueKey)).toEqual(item.attachments?.map((a) => a.uniqueKey));
    expect(item.attachments?.map((a) => a.uniqueKey)).toEqual([
      'vk:photo:604117233_457239300',
      'vk:doc:604117233_7',
    ]);
  });

  it('a repost on the wall carries the shared post', () => {
    const post = sample('wall-post-new.json');
    post.object.text = '';
    post.object.attachments = [];
    post.object.copy_history = [{ id: 77, owner_id: -1, from_id: -1, text: 'Где обещанный ремонт дороги?' }];
    expect(parseVkEvent(post, ctx).items[0].text).toBe(
      'Запись со стены: https://vk.com/wall-1_77\nГде обещанный ремонт дороги?',
    );
  });

  it('reports a known event without what it needs as a problem', () => {
    expect(parseVkEvent({ type: 'message_new', object: {} }, ctx).problem).toMatch(/message_new/);
    expect(parseVkEvent({ type: 'wall_reply_new', object: { id: 1 } }, ctx).problem).toMatch(
      /wall_reply_new/,
    );
  });
});

describe('decodeJsonBody and cleanText', () => {
  it('replaces invalid UTF-8 and lone surrogates, drops NUL', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"text":"a'),
      Buffer.from([0xed, 0xa0, 0xbd]),
      Buffer.from('b\\ud83dc\\u0000"}'),
    ]);
    const body = decodeJsonBody(bytes) as { text: string };
    expect(cleanText(body.text)).toBe('a\uFFFD\uFFFD\uFFFDb\uFFFDc');
  });

  it('refuses a body that is not JSON', () => {
    expect(() => decodeJsonBody('{"type":')).toThrow(expect.objectContaining({ code: 'InvalidPayload' }));
    expect(() => decodeJsonBody(undefined)).toThrow(expect.objectContaining({ code: 'InvalidPayload' }));
  });
});
