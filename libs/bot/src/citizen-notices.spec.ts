import { Channel } from '@inbox/integrations/contract';
import { mayOweNotice } from './citizen-notices.service';
import { isPrivateDialogue, isPublicPlace } from './public-place';

describe('mayOweNotice', () => {
  it('passes every event a citizen hears of, and of deliveries only an answer’s', () => {
    for (const type of ['registered', 'escalated', 'reopened'])
      expect(mayOweNotice({ type, data: {} })).toBe(true);
    expect(mayOweNotice({ type: 'delivered', data: { kind: 'answer' } })).toBe(true);
    // A notice's own delivery (and a receipt's) owes nothing: its appeal is not read for it.
    for (const kind of ['registration-notice', 'status-notice', 'rating-request', undefined])
      expect(mayOweNotice({ type: 'delivered', data: { kind } })).toBe(false);
  });
});

describe('isPublicPlace', () => {
  it('tells a public comment from a private chat, whatever the channel', () => {
    // A comment under the official Telegram channel's post: everyone in the discussion group reads the answers.
    expect(isPublicPlace(Channel.Telegram, { chatId: -1001987654321, messageId: 2210, public: true })).toBe(
      true,
    );
    expect(isPublicPlace(Channel.Vk, { ownerId: -1, postId: 6, commentId: 9 })).toBe(true);
    // OK's group wall: a topic and a comment under it (its rating digits and status notices were posted there).
    expect(isPublicPlace(Channel.Ok, { topicId: '155612843302741' })).toBe(true);
    expect(isPublicPlace(Channel.Ok, { topicId: '155612843290015', commentId: 'MTc0' })).toBe(true);
    expect(isPublicPlace(Channel.Ok, { chatId: 'chat:C3ecb9d02a600' })).toBe(false);
    expect(isPublicPlace(Channel.Telegram, { chatId: 48151623, messageId: 1 })).toBe(false);
    expect(isPublicPlace(Channel.Vk, { peerId: 604117261 })).toBe(false);
    expect(isPublicPlace(Channel.Telegram, null)).toBe(false);
  });
});

describe('isPrivateDialogue (where typed digits may be a rating)', () => {
  it('is the citizen’s own chat only: not a comment, a group, a VK chat or an OK chat OK did not describe', () => {
    const wall = { source: 'wall', place: 'channel-comments' };
    expect(isPrivateDialogue(Channel.Telegram, { chatId: 48151623, messageId: 1 }, {}, '48151623')).toBe(
      true,
    );
    expect(
      isPrivateDialogue(
        Channel.Telegram,
        { chatId: -1001987654321, messageId: 2210, public: true },
        wall,
        '4815',
      ),
    ).toBe(false);
    // A comment as it would look had it lost its marks: still not the citizen's chat with the bot.
    expect(isPrivateDialogue(Channel.Telegram, { chatId: -1001987654321, messageId: 2210 }, {}, '4815')).toBe(
      false,
    );
    expect(
      isPrivateDialogue(Channel.Telegram, { chatId: -1002000000001, directMessagesTopicId: 7 }, {}, '4815'),
    ).toBe(true);
    expect(isPrivateDialogue(Channel.Vk, { peerId: 604117261 }, {}, '604117261')).toBe(true);
    expect(isPrivateDialogue(Channel.Vk, { peerId: 2000000004 }, {}, '604117261')).toBe(false);
    expect(isPrivateDialogue(Channel.Vk, { ownerId: -1, postId: 6, commentId: 9 }, wall, '6041')).toBe(false);
    expect(
      isPrivateDialogue(Channel.Ok, { chatId: 'chat:C3ecb9d02a600' }, { source: 'messages' }, 'user:1'),
    ).toBe(true);
    expect(
      isPrivateDialogue(Channel.Ok, { chatId: 'chat:C3ecb9d02a600' }, { chatKind: 'unverified' }, 'user:1'),
    ).toBe(false);
    expect(isPrivateDialogue(Channel.Ok, { topicId: '155612843302741' }, wall, 'user:1')).toBe(false);
  });
});
