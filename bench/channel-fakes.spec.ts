import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { channelsFromEnv } from '@inbox/config';
import { CONNECTORS } from '@inbox/integrations/catalog';
import { Channel, type Connector } from '@inbox/integrations/contract';
// Built here without the channel registry: the fakes on loopback are allowed as the registry allows them.
import '../test/support/loopback-fakes';
import { channelFakesHere } from './channel-fakes';
import { channelMix } from './mix';

describe('the ingest bench’s channel accounts', () => {
  let fakes: Awaited<ReturnType<typeof channelFakesHere>>;
  const factories = new Map<string, () => Connector>();
  beforeAll(async () => {
    fakes = await channelFakesHere();
    // The connectors' modules (and SDKs) load on first use: here, before the test and its 5 s.
    for (const [kind, load] of Object.entries(CONNECTORS)) factories.set(kind, await load());
  }, 60_000);
  afterAll(() => fakes.stop());

  it('configure every channel the mix owes notices in, and each connector sends one to a mix item', async () => {
    const { accounts, off } = channelsFromEnv(fakes.env);
    const items = channelMix(400).items;
    for (const channel of [Channel.Telegram, Channel.Vk, Channel.Ok, Channel.Medo, Channel.Email]) {
      const configured = accounts.find((a) => a.channel === channel);
      expect({ channel, off: configured ? undefined : off }).toEqual({ channel, off: undefined });
      const account = { id: randomUUID(), ...configured! };
      const item = items.find((i) => i.channel === channel)!;
      const connector = factories.get(configured!.kind)!();
      const receipt = await connector.send(account, {
        id: randomUUID(),
        kind: 'registration-notice',
        text: 'Обращение зарегистрировано под № 1-2026',
        subject: 'Обращение № 1-2026',
        replyAddress: item.replyAddress,
        references: { registrationNumber: '1-2026', registeredAt: new Date().toISOString() },
      });
      expect({ channel, sent: typeof receipt.remoteId }).toEqual({ channel, sent: 'string' });
    }
    // The МЭДО receipt and notification are in the exchange folder.
    expect(readdirSync(fakes.env.MEDO_OUTBOUND_DIR)).toHaveLength(2);
  });
});
