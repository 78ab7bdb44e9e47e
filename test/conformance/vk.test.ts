import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseVkEvent } from '@inbox/integrations/vk';
import { decodeJsonBody } from '@inbox/integrations/contract';
import { MATERIAL } from './material';
import { FIXTURES, readJson, readText, shapeOf } from './shape';

/** Event bodies from the vknet/vk SDK's test data, against our parser and our fixtures. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const real = (name: string) => decodeJsonBody(readFileSync(join(MATERIAL.vk, name))) as Record<string, any>;
const ctx = { groupId: 1234 };

describe('VK: the SDK test events', () => {
  it('message_new becomes an item in the peer thread', () => {
    expect(parseVkEvent(real('MessageNewTest.json'), ctx).items).toEqual([
      expect.objectContaining({
        externalId: 'msg:123456789:614',
        receivedAt: new Date(1572809816 * 1000).toISOString(),
        author: { externalId: '123456789' },
        text: 'f',
        thread: { key: 'peer:123456789' },
        replyAddress: { peerId: 123456789 },
      }),
    ]);
  });

  it('reads the BOM-prefixed template payload with mangled emoji', () => {
    const bytes = readFileSync(join(MATERIAL.vk, 'MessageNewTemplateTest.json'));
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const { items } = parseVkEvent(decodeJsonBody(bytes), ctx);
    expect(items.map((i) => i.externalId)).toEqual(['msg:123456789:614']);
  });

  it('wall posts and wall replies become items with the documented ids', () => {
    expect(parseVkEvent(real('WallPostNewTest.json'), ctx).items[0]).toMatchObject({
      externalId: 'wall:-1234_6',
      replyAddress: { ownerId: -1234, postId: 6 },
    });
    expect(parseVkEvent(real('WallReplyNewTest.json'), ctx).items[0]).toMatchObject({
      externalId: 'reply:-1234_6_9',
      replyAddress: { ownerId: -1234, postId: 6, commentId: 9 },
    });
    // A citizen's edited comment: its new wording, a correction of the comment.
    expect(parseVkEvent(real('WallReplyEditTest.json'), ctx).items[0]).toMatchObject({
      text: 'test1',
      replyAddress: { ownerId: -1234, postId: 6, commentId: 9 },
      features: { correctionOf: 'reply:-1234_6_9' },
    });
  });

  it('message_event is a button interaction; the largest photo size is taken', () => {
    expect(parseVkEvent(real('MessageEventTest.json'), ctx).events[0]).toMatchObject({
      kind: 'interaction',
      callbackId: 'feleyinek',
    });
    const event = real('MessageNewTest.json');
    event.object.message.attachments = [{ type: 'photo', photo: real('PhotoNewTest.json').object }];
    expect(parseVkEvent(event, ctx).items[0].attachments).toEqual([
      expect.objectContaining({
        remoteRef: 'https://pp.userapi.com/c840134/v840134869/5a004/33LbnCgpeIc.jpg',
      }),
    ]);
  });

  it('the same message_new in a group chat (peer_id 2e9 + chat) is left out with the reason', () => {
    const chat = real('MessageNewTest.json');
    chat.object.message.peer_id = 2000000001;
    expect(parseVkEvent(chat, ctx)).toEqual({ items: [], events: [], skipped: 'group-chat' });
  });

  it("message_edit: the community's own edit is nothing (said in the log); the same edit by a citizen is a correction", () => {
    expect(parseVkEvent(real('MessageEditTest.json'), ctx)).toEqual({
      items: [],
      events: [],
      skipped: 'own-message',
    });
    const citizens = real('MessageEditTest.json');
    citizens.object.out = 0;
    citizens.object.from_id = Math.abs(citizens.object.from_id);
    expect(parseVkEvent(citizens, ctx).items).toEqual([
      expect.objectContaining({
        features: { source: 'messages', correctionOf: expect.stringMatching(/^msg:/) },
      }),
    ]);
  });

  it('a real wall_reply_delete is a withdrawal of the comment wall_reply_new named, by the deleter', () => {
    const deleted = real('WallReplyDeleteTest.json');
    const created = parseVkEvent(real('WallReplyNewTest.json'), ctx);
    expect(parseVkEvent(deleted, ctx)).toEqual({
      items: [],
      events: [
        expect.objectContaining({
          kind: 'withdrawal',
          target: { externalId: created.items[0].externalId },
          by: 'author',
          author: { externalId: String(deleted.object.deleter_id) },
        }),
      ],
    });
  });

  it('the other event types yield nothing and no problem, acknowledged with their type for the log', () => {
    for (const name of [
      'GroupJoinTest.json',
      'GroupLeaveTest.json',
      'MessageReplyTest.json',
      'PhotoNewTest.json',
      'WallReplyRestoreTest.json',
    ]) {
      const event = real(name);
      expect(parseVkEvent(event, ctx)).toEqual({
        items: [],
        events: [],
        skipped: `event-type:${event.type}`,
      });
    }
  });

  it('message_deny and message_allow close and open the dialogue of the user they name', () => {
    for (const [name, reachable] of [
      ['MessageDenyTest.json', false],
      ['MessageAllowTest.json', true],
    ] as const) {
      const event = real(name);
      expect(parseVkEvent(event, ctx).events).toEqual([
        expect.objectContaining({
          kind: 'reachability',
          target: { threadKey: `peer:${event.object.user_id}` },
          reachable,
        }),
      ]);
    }
  });
});

describe('VK: our fixtures have the shapes of the real events', () => {
  const vk = join(FIXTURES, 'vk');
  it.each([
    ['message-new.json', 'MessageNewTest.json', []],
    ['message-new-chat.json', 'MessageNewTest.json', []],
    ['message-new-template.json', 'MessageNewTemplateTest.json', ['object.message.template.elements[]']],
    ['message-edit.json', 'MessageEditTest.json', []],
    ['message-reply.json', 'MessageReplyTest.json', []],
    ['message-event.json', 'MessageEventTest.json', ['object.payload']],
    ['message-allow.json', 'MessageAllowTest.json', []],
    ['group-join.json', 'GroupJoinTest.json', []],
    ['group-leave.json', 'GroupLeaveTest.json', []],
    ['wall-post-new.json', 'WallPostNewTest.json', []],
    ['wall-reply-new.json', 'WallReplyNewTest.json', []],
    ['wall-reply-edit.json', 'WallReplyEditTest.json', []],
    ['wall-reply-delete.json', 'WallReplyDeleteTest.json', []],
    ['photo-new.json', 'PhotoNewTest.json', []],
    ['longpoll-failed-1.json', 'Failed1.json', []],
    ['longpoll-failed-1.json', 'Failed1Ts.json', []],
    ['longpoll-failed-2.json', 'Failed2.json', []],
    ['longpoll-failed-3.json', 'Failed3.json', []],
  ])('%s ~ %s', (ours, theirs, free) => {
    expect(shapeOf(readJson(vk, ours), free)).toEqual(shapeOf(readJson(MATERIAL.vk, theirs), free));
  });

  it('the template fixture starts with a BOM like the real one, and the long-poll wrapper has its form', () => {
    expect(readText(vk, 'message-new-template.json').startsWith('\uFEFF')).toBe(true);
    const wrapper = (text: string) => text.replace(/"ts": "\d+"/, '"ts": "N"');
    expect(wrapper(readText(vk, 'longpoll-answer.template.txt'))).toBe(
      wrapper(readText(MATERIAL.vk, 'FullLongPollFormat.template.txt')),
    );
  });
});
