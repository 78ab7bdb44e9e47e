import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeJsonBody, cleanText, parseVkEvent } from './vk-events';

// Real event bodies from the vknet/vk test data (MIT), read from ../shared/samples/vk at test time.
const SAMPLES = path.resolve(__dirname, '../../../../shared/samples/vk');
const raw = (name: string) => readFileSync(path.join(SAMPLES, name));
const sample = (name: string) => decodeJsonBody(raw(name)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ctx = { groupId: 1234 };

describe('parseVkEvent', () => {
  it('message_new → a message item in the peer thread, answered by peerId', () => {
    const { items, events, problem } = parseVkEvent(sample('MessageNewTest.json'), ctx);
    expect(problem).toBeUndefined();
    expect(events).toEqual([]);
    expect(items).toEqual([
      {
        channel: 'vk',
        externalId: 'msg:123456789:614',
        receivedAt: new Date(1572809816 * 1000).toISOString(),
        regime: 'message',
        author: { externalId: '123456789' },
        text: 'f',
        attachments: [],
        thread: { key: 'peer:123456789' },
        replyAddress: { peerId: 123456789 },
        features: { source: 'messages' },
      },
    ]);
  });

  it('reads the BOM-prefixed, emoji-mangled template payload', () => {
    const bytes = raw('MessageNewTemplateTest.json');
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const { items } = parseVkEvent(decodeJsonBody(bytes), ctx);
    expect(items.map((i) => i.externalId)).toEqual(['msg:123456789:614']);
  });

  it('keeps the older message_new shape (object is the message) working', () => {
    const old = sample('MessageEditTest.json');
    old.type = 'message_new';
    old.object.out = 0;
    const { items } = parseVkEvent(old, ctx);
    expect(items[0]).toMatchObject({ externalId: 'msg:123:791', text: 'test1' });
  });

  it('takes the largest size of a photo attachment and a document by URL', () => {
    const event = sample('MessageNewTest.json');
    const photo = sample('PhotoNewTest.json').object;
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
        fileName: 'photo-1234_123456.jpg',
        contentType: 'image/jpeg',
        remoteRef: 'https://pp.userapi.com/c840134/v840134869/5a004/33LbnCgpeIc.jpg',
      },
      {
        fileName: 'Заявление.pdf',
        contentType: 'application/pdf',
        remoteRef: 'https://vk.com/doc123_5',
        size: 1000,
      },
    ]);
  });

  it('wall_post_new → an open-source message (8-ФЗ) answered as a comment on the post', () => {
    const { items } = parseVkEvent(sample('WallPostNewTest.json'), ctx);
    expect(items[0]).toMatchObject({
      externalId: 'wall:-1234_6',
      regime: 'message',
      features: { source: 'wall' },
      thread: { key: 'post:-1234_6' },
      replyAddress: { ownerId: -1234, postId: 6 },
      author: { externalId: '123' },
    });
  });

  it('skips posts by the community itself; a suggested post is answered in private messages', () => {
    const own = sample('WallPostNewTest.json');
    own.object.from_id = -1234;
    expect(parseVkEvent(own, ctx).items).toEqual([]);
    const suggested = sample('WallPostNewTest.json');
    suggested.object.post_type = 'suggest';
    expect(parseVkEvent(suggested, ctx).items[0].replyAddress).toEqual({ peerId: 123 });
  });

  it('wall_reply_new → a per-author thread under the post that refers to the post', () => {
    const { items } = parseVkEvent(sample('WallReplyNewTest.json'), ctx);
    expect(items[0]).toMatchObject({
      externalId: 'reply:-1234_6_9',
      features: { source: 'wall' },
      thread: { key: 'post:-1234_6/from:123', refersTo: ['post:-1234_6'] },
      replyAddress: { ownerId: -1234, postId: 6, commentId: 9 },
    });
  });

  it('ignores our own comments, so answers do not loop back as items', () => {
    const ours = sample('WallReplyNewTest.json');
    ours.object.from_id = -1234;
    expect(parseVkEvent(ours, ctx).items).toEqual([]);
  });

  it('message_event → a button interaction with the event id to acknowledge', () => {
    const { items, events } = parseVkEvent(sample('MessageEventTest.json'), ctx);
    expect(items).toEqual([]);
    expect(events[0]).toMatchObject({
      kind: 'interaction',
      action: 'button',
      externalId: 'event:feleyinek',
      callbackId: 'feleyinek',
      author: { externalId: '123456789' },
      thread: { key: 'peer:123456789' },
    });
    expect(JSON.parse((events[0] as { value: string }).value)).toEqual(
      sample('MessageEventTest.json').object.payload,
    );
  });

  it('a rating payload (text button or callback button) → RatingEvent', () => {
    const msg = sample('MessageNewTest.json');
    msg.object.message.payload = '{"rate":"01-25/7","answered":"yes"}';
    expect(parseVkEvent(msg, ctx).events[0]).toMatchObject({
      kind: 'rating',
      externalId: 'rate:123456789:614',
      answered: true,
      target: { registrationNumber: '01-25/7', threadKey: 'peer:123456789' },
    });
    const event = sample('MessageEventTest.json');
    event.object.payload = { rate: '01-25/7', sat: 'no' };
    expect(parseVkEvent(event, ctx).events[0]).toMatchObject({
      kind: 'rating',
      satisfaction: 'not-satisfied',
    });
  });

  it('VK\'s "Начать" button is a start interaction', () => {
    const msg = sample('MessageNewTest.json');
    msg.object.message.payload = '{"command":"start"}';
    expect(parseVkEvent(msg, ctx).events[0]).toMatchObject({ kind: 'interaction', action: 'start' });
  });

  it('unknown and uninteresting event types yield nothing', () => {
    for (const name of [
      'GroupJoinTest.json',
      'GroupLeaveTest.json',
      'MessageReplyTest.json',
      'MessageEditTest.json',
      'PhotoNewTest.json',
      'WallReplyEditTest.json',
      'WallReplyDeleteTest.json',
      'MessageAllowTest.json',
    ]) {
      expect(parseVkEvent(sample(name), ctx)).toEqual({ items: [], events: [] });
    }
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
