import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bull';
import { AppConfig } from '@inbox/config';
import { type DeliveryReceipt } from '@inbox/integrations/contract';
import { QueueName } from '@inbox/queue';
import { type DeliveredNotes, type Sendable } from './delivery.repository';

/**
 * What a send's row needs to be marked sent: the channel's receipt and, for a message, how it left and what its
 * `delivered` event says of it (the files that went as a link): a receipt restored after an outage says it too.
 */
export interface KeptReceipt {
  receipt: DeliveryReceipt;
  connectorKind?: string;
  accountId?: string;
  notes?: DeliveredNotes;
}

/** Long enough for every retry round of a message (DELIVERY_RETRY_FAILED_MS doubling) to come back for it. */
const KEPT_SECONDS = 14 * 24 * 3600;

/**
 * Receipts of sends whose row could not be written (the database away just after the channel accepted the
 * message), kept in Redis — which the job queue needs anyway — until a later attempt writes them instead of
 * sending again: a messenger has no idempotency key, so a second send is a second message to the citizen.
 */
@Injectable()
export class KeptReceipts {
  constructor(
    @InjectQueue(QueueName.Delivery) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  /** True when kept; false when Redis refused too (the caller then says a retry will send again). */
  async keep(what: Sendable, id: string, kept: KeptReceipt): Promise<boolean> {
    try {
      await this.queue.client.set(this.key(what, id), JSON.stringify(kept), 'EX', KEPT_SECONDS);
      return true;
    } catch {
      return false;
    }
  }

  async find(what: Sendable, id: string): Promise<KeptReceipt | undefined> {
    const raw = await this.queue.client.get(this.key(what, id));
    return raw ? (JSON.parse(raw) as KeptReceipt) : undefined;
  }

  /** Once written to the row; a key left behind only expires (the row says sent, so it is never read). */
  async drop(what: Sendable, id: string): Promise<void> {
    await this.queue.client.del(this.key(what, id)).catch(() => undefined);
  }

  private key(what: Sendable, id: string): string {
    return `${this.config.queuePrefix}:kept-receipt:${what}:${id}`;
  }
}
