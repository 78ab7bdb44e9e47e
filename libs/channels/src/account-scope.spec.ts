import { Channel, type Connector, type InboundEvent, type InboundItem } from '@inbox/integrations/contract';
import { scopedEvent, scopedItem, scopedKey } from './account-scope';
import { type ChannelEntry } from './channel-registry.service';

const entry = (kind: 'vk' | 'email', source: 'env' | 'admin'): ChannelEntry => ({
  kind,
  source,
  connector: {} as Connector,
  account: { id: 'a1', channel: kind === 'vk' ? Channel.Vk : Channel.Email, settings: {}, secrets: {} },
});

const item: InboundItem = {
  channel: Channel.Vk,
  externalId: 'msg:5:7:edit:1',
  receivedAt: '2026-12-02T08:00:00Z',
  author: { externalId: '5' },
  text: 'Текст',
  thread: { key: 'peer:5', refersTo: ['sent:5:3'] },
  features: { source: 'messages', correctionOf: 'msg:5:7' },
};

describe('ids scoped by channel account', () => {
  it('names an administrator’s messenger account’s items, corrections, threads and replies by the account', () => {
    const scoped = scopedItem(entry('vk', 'admin'), item);
    expect(scoped).toMatchObject({
      externalId: 'acct:a1/msg:5:7:edit:1',
      thread: { key: 'acct:a1/peer:5', refersTo: ['acct:a1/sent:5:3'] },
      features: { source: 'messages', correctionOf: 'acct:a1/msg:5:7' },
      author: { externalId: '5' },
    });
    // Applied twice, the same.
    expect(scopedItem(entry('vk', 'admin'), scoped)).toEqual(scoped);
    expect(scopedKey(entry('vk', 'admin'), 'acct:a1/peer:5')).toBe('acct:a1/peer:5');
  });

  it('keeps the environment’s account’s ids, and e-mail’s own, as they are', () => {
    expect(scopedItem(entry('vk', 'env'), item)).toBe(item);
    expect(scopedItem(entry('email', 'admin'), { ...item, channel: Channel.Email })).toEqual({
      ...item,
      channel: Channel.Email,
    });
    expect(scopedKey(entry('vk', 'env'), 'peer:5')).toBe('peer:5');
    expect(scopedKey(undefined, 'peer:5')).toBe('peer:5');
  });

  it('names an event and what it refers to by the account', () => {
    const rating: InboundEvent = {
      kind: 'rating',
      channel: Channel.Vk,
      externalId: 'rate:5:9',
      receivedAt: '2026-12-02T08:00:00Z',
      target: { registrationNumber: 'N-1', threadKey: 'peer:5' },
    };
    expect(scopedEvent(entry('vk', 'admin'), rating)).toMatchObject({
      externalId: 'acct:a1/rate:5:9',
      target: { registrationNumber: 'N-1', threadKey: 'acct:a1/peer:5' },
    });
    expect(scopedEvent(entry('vk', 'env'), rating)).toBe(rating);
  });
});
