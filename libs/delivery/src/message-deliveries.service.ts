import { Injectable, Module } from '@nestjs/common';
import { ChannelRegistry } from '@inbox/channels';
import { type JsonLogger } from '@inbox/common';
import {
  channelQueueJob,
  DELIVERY_QUEUE,
  deliveryJobId,
  type DeliveryRun,
  isRateLimitedChannel,
  JobName,
  JobProducer,
  type RateLimitedChannel,
} from '@inbox/queue';
import { OutboundMessagesModule, OutboundMessagesRepository } from './outbound-messages.repository';

/**
 * The connector kind and account a message goes out through, from its channel and the account that received
 * the appeal's item; undefined when that channel or account is off (sent from the common queue then, where it
 * fails or waits with the reason).
 */
export async function sendingThrough(
  channels: ChannelRegistry,
  of: { channel: string; accountId: string | null } | undefined,
): Promise<{ kind: string; accountId: string } | undefined> {
  const entry = of ? await channels.deliveryAccount(of.channel, of.accountId) : undefined;
  return entry ? { kind: entry.kind, accountId: entry.account.id } : undefined;
}

/** A message's way out (none when its channel or account is off) and its run (deliveryJobId). */
interface MessageRoute {
  through?: { kind: string; accountId: string };
  round: number;
  retries: number;
}

/**
 * Queues the delivery of messages Postgres already owes. A messenger message goes straight to its channel's
 * queue under its account (as the delivery worker's common queue would route it: one job, not two); any other,
 * or any whose account is not known here, to the common queue. A refusal from Redis loses nothing: `log` warns
 * (ids only) and the delivery sweep, which reads Postgres, queues it again.
 */
@Injectable()
export class MessageDeliveries {
  constructor(
    private readonly messages: OutboundMessagesRepository,
    private readonly channels: ChannelRegistry,
    private readonly jobs: JobProducer,
  ) {}

  async enqueue(outboundMessageIds: string[], log: JsonLogger): Promise<void> {
    if (outboundMessageIds.length === 0) return;
    const byChannel = new Map<RateLimitedChannel, { run: DeliveryRun; accountId: string }[]>();
    const common: DeliveryRun[] = [];
    const read = await this.read(outboundMessageIds, log);
    for (const id of outboundMessageIds) {
      const r = read.get(id);
      // Unread (the read failed): a message just queued, in its first run.
      const run = { id, round: r?.round ?? 0, retries: r?.retries ?? 0 };
      const t = r?.through;
      if (!t || !isRateLimitedChannel(t.kind)) {
        common.push(run);
        continue;
      }
      byChannel.set(t.kind, [...(byChannel.get(t.kind) ?? []), { run, accountId: t.accountId }]);
    }
    const name = JobName.DeliverOutboundMessage;
    await Promise.all([
      this.jobs.addMessageDeliveries(common, log),
      ...[...byChannel].map(([kind, list]) =>
        this.jobs
          .queue(DELIVERY_QUEUE[kind])
          .addBulk(
            list.map(({ run, accountId }) => ({
              name,
              ...channelQueueJob(
                { outboundMessageId: run.id },
                accountId,
                deliveryJobId(run.id, run.round, run.retries),
              ),
            })),
          )
          .catch((error: unknown) =>
            log.warn(`${name} not enqueued; the sweep will send it`, {
              outboundMessageIds: list.map((m) => m.run.id),
              reason: error,
            }),
          ),
      ),
    ]);
  }

  /**
   * Each message's way out (none when its channel or account is off) and its run; nothing for any when they cannot
   * be read (the common queue routes them then, as first runs).
   */
  private async read(ids: string[], log: JsonLogger): Promise<Map<string, MessageRoute>> {
    const out = new Map<string, MessageRoute>();
    try {
      for (const row of await this.messages.sendingAccounts(ids)) {
        out.set(row.id, {
          through: await sendingThrough(this.channels, row),
          round: row.round,
          retries: row.retries,
        });
      }
    } catch (error) {
      log.warn('messages sent through the common delivery queue: their accounts were not read', {
        outboundMessageIds: ids,
        reason: error,
      });
      out.clear();
    }
    return out;
  }
}

/** For a lib that queues messages and has them delivered (notices, feeds' receipts). */
@Module({
  imports: [OutboundMessagesModule],
  providers: [MessageDeliveries],
  exports: [MessageDeliveries, OutboundMessagesModule],
})
export class MessageDeliveriesModule {}
