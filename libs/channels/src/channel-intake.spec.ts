import { Channel, type InboundEvent, type InboundItem } from '@inbox/integrations/contract';
import { isDialogueItem, withoutPersonalData } from './channel-intake.service';

const item = (channel: Channel, features?: Record<string, string>): InboundItem => ({
  channel,
  externalId: 'x',
  receivedAt: '2026-11-22T10:00:00Z',
  author: { externalId: '42', displayName: 'Иван Петров' },
  text: 'Текст',
  features,
});

describe('channel intake', () => {
  it('holds private messenger dialogues for the bot, not open-source wall posts', () => {
    expect(isDialogueItem(item(Channel.Telegram))).toBe(true);
    expect(isDialogueItem(item(Channel.Ok, { source: 'messages' }))).toBe(true);
    expect(isDialogueItem(item(Channel.Vk, { source: 'messages' }))).toBe(true);
    expect(isDialogueItem(item(Channel.Vk, { source: 'wall' }))).toBe(false);
    expect(isDialogueItem(item(Channel.Ok, { source: 'wall' }))).toBe(false);
    // A comment under the official Telegram channel's post is public, like a wall comment: no bot dialogue.
    expect(isDialogueItem(item(Channel.Telegram, { source: 'wall', place: 'channel-comments' }))).toBe(false);
    expect(isDialogueItem(item(Channel.Email))).toBe(false);
    expect(isDialogueItem(item(Channel.Website))).toBe(false);
  });

  it('lets only channel ids of the author travel through Redis', () => {
    const interaction: InboundEvent = {
      kind: 'interaction',
      channel: Channel.Telegram,
      externalId: 'cb-1',
      receivedAt: '2026-11-22T10:00:00Z',
      author: { externalId: '42', displayName: 'Иван Петров', phone: '+79130000000' },
      action: 'consent',
      replyAddress: { chatId: 42 },
    };
    const rating: InboundEvent = {
      kind: 'rating',
      channel: Channel.Vk,
      externalId: 'rate:1',
      receivedAt: '2026-11-22T10:00:00Z',
      target: { registrationNumber: '2026-000001' },
      answered: false,
      comment: 'Ничего не сделали, звоните мне на +79130000000',
      author: { externalId: '42', displayName: 'Иван Петров' },
    };
    expect(withoutPersonalData(interaction)).toEqual({ ...interaction, author: { externalId: '42' } });
    const stripped = withoutPersonalData(rating);
    expect(stripped).toEqual({
      kind: 'rating',
      channel: Channel.Vk,
      externalId: 'rate:1',
      receivedAt: '2026-11-22T10:00:00Z',
      target: { registrationNumber: '2026-000001' },
      answered: false,
      author: { externalId: '42' },
    });
    expect(JSON.stringify(stripped)).not.toMatch(/Петров|79130000000/);
  });
});
