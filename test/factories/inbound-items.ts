import { randomUUID } from 'node:crypto';
import { Channel, type InboundItem } from '@inbox/integrations/contract';

/** A realistic inbound item; override what the test is about. */
export function inboundItem(overrides: Partial<InboundItem> = {}): InboundItem {
  return {
    channel: Channel.Pos,
    externalId: `pos-${randomUUID()}`,
    receivedAt: new Date().toISOString(),
    regime: 'message',
    author: {
      externalId: `epgu-${randomUUID()}`,
      surname: 'Смирнов',
      firstName: 'Алексей',
      patronymic: 'Игоревич',
    },
    text: 'Во дворе дома по ул. Кирова, 12 открыт канализационный люк, рядом детская площадка.',
    address: 'г. Новосибирск, ул. Кирова, 12',
    ...overrides,
  };
}
