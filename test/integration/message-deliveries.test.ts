import { type INestApplicationContext } from '@nestjs/common';
import { AppealRegistrar } from '@inbox/appeals';
import { ChannelRegistry, ChannelsModule } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { MessageDeliveries, MessageDeliveriesModule } from '@inbox/delivery';
import { CONNECTORS } from '@inbox/integrations/catalog';
import { Channel, type InboundItem } from '@inbox/integrations/contract';
import { InboundStore } from '@inbox/intake';
import {
  JobName,
  JobProducer,
  LIMITER_GROUP_KEY,
  QueueName,
  RETRY_AFTER_BACKOFF,
  storedJobId,
} from '@inbox/queue';
import { inboundItem } from '../factories/inbound-items';
import { AppealsTestModule } from '../support/appeals-test-module';
import { createTestContext } from '../support/test-context';
import { type TestDatabase } from '../support/test-database';

const MessageDeliveriesTestModule = AppealsTestModule.with([
  ChannelsModule.forRoot(CONNECTORS),
  MessageDeliveriesModule,
]);

/**
 * Issue 18: a messenger notice is queued straight on its channel's own queue, as the delivery worker's common
 * queue would have routed it (one job, not two); anything else, or a message whose account is not known, still
 * goes to the common queue.
 */
describe('message deliveries (integration)', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;

  beforeAll(async () => {
    ({ db, ctx } = await createTestContext(MessageDeliveriesTestModule, 'msgdel', {
      LOG_LEVEL: 'error',
      // A Telegram bot of the region's (never called here: nothing is sent).
      TELEGRAM_BOT_TOKEN: '123456:test-token',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
    }));
  });

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  const messageFor = async (item: InboundItem): Promise<string> => {
    const [stored] = await ctx.get(InboundStore).store([item], { enqueue: false });
    const outcome = await ctx.get(AppealRegistrar).registerInboundItem(stored.inboundItemId);
    if (outcome.kind !== 'registered') throw new Error(`expected a registration, got ${outcome.kind}`);
    const [{ id }] = (await db.dataSource.query(
      `INSERT INTO outbound_messages (appeal_id, channel, kind, text)
       SELECT id, channel, 'registration-notice', 'Обращение зарегистрировано' FROM appeals WHERE id = $1 RETURNING id`,
      [outcome.appealId],
    )) as { id: string }[];
    return id;
  };

  it('puts a messenger notice on its channel queue under its account, and the rest on the common queue', async () => {
    const telegram = await messageFor(
      inboundItem({
        channel: Channel.Telegram,
        externalId: `tg-${Date.now()}`,
        regime: 'message',
        replyAddress: { chatId: 4242 },
      }),
    );
    const pos = await messageFor(inboundItem());
    const account = ctx.get(ChannelRegistry).forDelivery(Channel.Telegram);
    expect(account).toBeDefined();

    await ctx.get(MessageDeliveries).enqueue([telegram, pos], rootLogger.child('test'));

    const jobs = ctx.get(JobProducer);
    const channelQueue = jobs.queue(QueueName.DeliveryTelegram);
    const common = jobs.queue(QueueName.Delivery);
    const data = { outboundMessageId: telegram, [LIMITER_GROUP_KEY]: account!.account.id };
    const onChannel = await channelQueue.getJob(storedJobId(channelQueue, telegram, data));
    expect(onChannel?.name).toBe(JobName.DeliverOutboundMessage);
    expect(onChannel?.data).toEqual(data);
    expect(onChannel?.opts.backoff).toEqual({ type: RETRY_AFTER_BACKOFF });
    // One job for the notice: none on the common queue to route it again.
    expect(await common.getJob(telegram)).toBeNull();
    const onCommon = await common.getJob(pos);
    expect(onCommon?.data).toEqual({ outboundMessageId: pos });
    expect(
      await channelQueue.getJob(storedJobId(channelQueue, pos, { ...data, outboundMessageId: pos })),
    ).toBeNull();
  });
});
