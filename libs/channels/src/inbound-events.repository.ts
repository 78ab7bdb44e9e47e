import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf } from '@inbox/common';
import {
  type AppealRef,
  type DeliveryStateEvent,
  type InboundEvent,
  type ReachabilityEvent,
  type WithdrawalEvent,
} from '@inbox/integrations/contract';

/** Webhook events kept until the worker has handled them (deferred_inbound_events). */
export interface DeferredEvents {
  id: string;
  kind: string;
  accountId: string | null;
  events: InboundEvent[];
}

/**
 * inbound_events (each rating, delivery state and bot action handled once per channel + external id) and the
 * look-ups an event needs: the appeal it refers to, the outbound message whose delivery it reports.
 */
@Injectable()
export class InboundEventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * 'claimed' the first time this event is seen, 'done' once it was handled, 'busy' while another handler holds
   * it. A claim without an outcome older than `leaseMs` is taken over ('claimed', its lease renewed in
   * claimed_at): its handler died mid-way (kill -9), or failed while the database was away and could not let it
   * go (releaseClaim) — the event was otherwise skipped as seen by every retry, and its deferred row deleted.
   * `received_at`, when the event reached us, is never rewritten: it is the event's own `receivedAt` (ours on
   * arrival, never later than now), so a claim released after a failure and made again keeps it too.
   */
  async claim(
    channel: string,
    externalId: string,
    kind: string,
    leaseMs: number,
    receivedAt?: string,
  ): Promise<'claimed' | 'done' | 'busy'> {
    const arrived = receivedAt && !Number.isNaN(Date.parse(receivedAt)) ? receivedAt : null;
    const [row] = (await this.dataSource.query(
      `WITH claimed AS (
         INSERT INTO inbound_events (channel, external_id, kind, received_at, claimed_at)
         VALUES ($1, $2, $3, least(coalesce($5::timestamptz, now()), now()), now())
         ON CONFLICT (channel, external_id) DO UPDATE SET claimed_at = now()
          WHERE inbound_events.outcome IS NULL
            AND coalesce(inbound_events.claimed_at, inbound_events.received_at)
                < now() - make_interval(secs => $4::float8 / 1000)
         RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM claimed) AS claimed,
              EXISTS (SELECT 1 FROM inbound_events WHERE channel = $1 AND external_id = $2 AND outcome IS NULL) AS open`,
      [channel, externalId, kind, leaseMs, arrived],
    )) as { claimed: boolean; open: boolean }[];
    return row.claimed ? 'claimed' : row.open ? 'busy' : 'done';
  }

  /** Lets a claimed event be handled again: its handling failed before it was done (the job retries it). */
  async releaseClaim(channel: string, externalId: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM inbound_events WHERE channel = $1 AND external_id = $2 AND outcome IS NULL`,
      [channel, externalId],
    );
  }

  /** Keeps a webhook's events until they are handled; returns the row's id. */
  async defer(kind: string, accountId: string | null, events: InboundEvent[]): Promise<string> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO deferred_inbound_events (kind, account_id, events) VALUES ($1, $2, $3::jsonb) RETURNING id`,
      [kind, accountId, JSON.stringify(events)],
    )) as { id: string }[];
    return String(row.id);
  }

  async deferred(id: string): Promise<InboundEvent[] | undefined> {
    const [row] = rowsOf<{ events: InboundEvent[] }>(
      await this.dataSource.query(`SELECT events FROM deferred_inbound_events WHERE id = $1`, [id]),
    );
    return row?.events;
  }

  async deferredHandled(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM deferred_inbound_events WHERE id = $1`, [id]);
  }

  /**
   * Deferred events older than `olderThanMs` (their job was lost with Redis, or failed every attempt), oldest
   * first, each counted as one more round; a row past `maxRounds` is left where it is, no longer queued.
   */
  async deferredToRequeue(olderThanMs: number, maxRounds: number, limit: number): Promise<DeferredEvents[]> {
    const rows = rowsOf<{ id: string; kind: string; account_id: string | null; events: InboundEvent[] }>(
      await this.dataSource.query(
        `UPDATE deferred_inbound_events d SET rounds = rounds + 1
          WHERE d.id IN (SELECT id FROM deferred_inbound_events
                          WHERE created_at < now() - make_interval(secs => $1::float8 / 1000) AND rounds < $2
                          ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING d.id, d.kind, d.account_id, d.events`,
        [olderThanMs, maxRounds, limit],
      ),
    );
    return rows.map((r) => ({ id: String(r.id), kind: r.kind, accountId: r.account_id, events: r.events }));
  }

  async setOutcome(channel: string, externalId: string, outcome: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE inbound_events SET outcome = $3 WHERE channel = $1 AND external_id = $2`,
      [channel, externalId, outcome],
    );
  }

  /** The appeal an event refers to, by our number, the original item's id, or the conversation. */
  async appealFor(channel: string, target: AppealRef): Promise<string | undefined> {
    if (target.registrationNumber) {
      const [row] = (await this.dataSource.query(`SELECT id FROM appeals WHERE registration_number = $1`, [
        target.registrationNumber,
      ])) as { id: string }[];
      if (row) return row.id;
    }
    if (target.externalId) {
      const [row] = (await this.dataSource.query(
        `SELECT appeal_id AS id FROM inbound_items WHERE channel = $1 AND external_id = $2 AND appeal_id IS NOT NULL`,
        [channel, target.externalId],
      )) as { id: string }[];
      if (row) return row.id;
    }
    if (target.threadKey) {
      const [row] = (await this.dataSource.query(
        `SELECT t.appeal_id AS id FROM appeal_threads t JOIN appeals a ON a.id = t.appeal_id
          WHERE t.channel = $1 AND t.thread_key = $2 ORDER BY a.registered_at DESC LIMIT 1`,
        [channel, target.threadKey],
      )) as { id: string }[];
      if (row) return row.id;
    }
    return undefined;
  }

  /**
   * Records what the channel says about something we sent, on the message and in its appeal's history.
   * Returns how many messages it matched (none: a receipt about a message we do not know).
   */
  async recordDeliveryState(event: DeliveryStateEvent): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      // An UPDATE … RETURNING comes back from TypeORM as [rows, count].
      const rows = rowsOf<{ appeal_id: string; id: string }>(
        await tx.query(
          `UPDATE outbound_messages SET delivery_state = $3, delivery_state_at = now()
            WHERE ($1::uuid IS NOT NULL AND id = $1::uuid) OR ($2::text IS NOT NULL AND remote_id = $2::text)
            RETURNING appeal_id, id`,
          [
            isUuid(event.outboundMessageId) ? event.outboundMessageId : null,
            event.remoteId ?? null,
            event.state,
          ],
        ),
      );
      for (const r of rows) {
        await tx.query(
          `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'delivery-state', $2)`,
          [
            r.appeal_id,
            {
              outboundMessageId: r.id,
              state: event.state,
              reason: event.reason ?? null,
              remoteRegistrationNumber: event.remoteRegistrationNumber ?? null,
            },
          ],
        );
      }
      return rows.length;
    });
  }

  /**
   * Whether the appeal came through the channel from this user or chat there: 'applicant'; 'other' when it did
   * not; 'erased' when nobody can tell any more — the retention sweep erased its personal data, the applicant's
   * channel id with it (kept in no form: an id that recognised the person would be their data past its term).
   */
  async applicantCheck(
    appealId: string,
    channel: string,
    externalId: string,
  ): Promise<'applicant' | 'other' | 'erased'> {
    const [row] = (await this.dataSource.query(
      `SELECT a.personal_data_erased_at IS NOT NULL AS erased,
              (a.channel = $2 AND p.external_id = $3) AS applicant
         FROM appeals a LEFT JOIN applicants p ON p.id = a.applicant_id
        WHERE a.id = $1`,
      [appealId, channel, externalId],
    )) as { erased: boolean; applicant: boolean | null }[];
    if (row?.applicant) return 'applicant';
    return row?.erased ? 'erased' : 'other';
  }

  /**
   * Notes on the appeal's history that the citizen deleted what they had sent, or that the channel withdrew it
   * (ПОС moderation). The appeal and its texts stay as registered (59-ФЗ). Once per withdrawal.
   */
  /** `dialogue-closed` (the citizen blocked the bot) or `dialogue-reopened` in the appeal's history, once each. */
  async recordReachability(appealId: string, event: ReachabilityEvent): Promise<void> {
    const type = event.reachable ? 'dialogue-reopened' : 'dialogue-closed';
    await this.dataSource.query(
      `INSERT INTO appeal_events (appeal_id, type, data)
       SELECT $1, $2, $3::jsonb
        WHERE NOT EXISTS (SELECT 1 FROM appeal_events WHERE appeal_id = $1 AND type = $2 AND data->>'key' = $4)`,
      [
        appealId,
        type,
        JSON.stringify({ key: event.externalId, channel: event.channel, at: event.receivedAt }),
        event.externalId,
      ],
    );
  }

  async recordWithdrawal(appealId: string, event: WithdrawalEvent): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO appeal_events (appeal_id, type, data)
       SELECT $1, 'withdrawn', $2::jsonb
        WHERE NOT EXISTS (SELECT 1 FROM appeal_events WHERE appeal_id = $1 AND type = 'withdrawn' AND data->>'key' = $3)`,
      [
        appealId,
        JSON.stringify({
          key: event.externalId,
          by: event.by,
          channel: event.channel,
          externalId: event.target.externalId ?? null,
          reason: event.reason ?? null,
          at: event.receivedAt,
        }),
        event.externalId,
      ],
    );
  }
}

function isUuid(value: string | undefined): value is string {
  return !!value && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
