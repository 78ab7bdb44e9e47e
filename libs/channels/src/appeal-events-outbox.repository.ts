import { Injectable } from '@nestjs/common';
import { cappedCountSql } from '@inbox/common';
import { type Db, SqlRepository } from '@inbox/database';

/** A history event as a consumer sees it. */
export interface AppealEventRecord {
  id: string;
  appealId: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: Date;
  channel: string;
  registrationNumber: string;
}

/** A claimed outbox row: the event and how often this consumer has tried it. */
export interface ClaimedEvent extends AppealEventRecord {
  attempts: number;
}

export interface ConsumerSubscription {
  name: string;
  /** Appeal channels, or ['*'] for every channel. */
  channels: string[];
  types: string[];
}

/** One failed attempt at an event: why, and when to try again (`'dead'`: never, a permanent error's dead letter). */
export interface FailedAttempt {
  eventId: string;
  reason: string;
  retryInMs: number | 'dead';
}

/** A (consumer, event) that failed for good: kept until staff retry it. */
export interface DeadEvent {
  consumer: string;
  eventId: string;
  appealId: string;
  registrationNumber: string;
  channel: string;
  type: string;
  attempts: number;
  lastError: string | null;
  failedAt: Date;
}

/** What is waiting per consumer (for health and the dead-letter panel). */
export interface OutboxCounts {
  consumer: string;
  pending: number;
  retrying: number;
  dead: number;
  oldestPendingAt: Date | null;
}

/** A consumer's backlog, and what is stuck: since when its oldest failing row fails, and that row's last error. */
export interface ConsumerBacklog extends OutboxCounts {
  failingSince: Date | null;
  lastError: string | null;
}

/**
 * The history outbox (`event_consumers`, `event_outbox`; migration EventOutbox). A trigger on `appeal_events`
 * writes one row per interested consumer in the appending transaction; consumers lease, delete, back off and
 * bury their own rows here.
 */
@Injectable()
export class AppealEventsOutbox extends SqlRepository {
  /** Registers (or updates) what each consumer listens to: from now on the trigger writes its rows. */
  async register(consumers: ConsumerSubscription[]): Promise<void> {
    if (consumers.length === 0) return;
    await this.rows(
      `INSERT INTO event_consumers (name, channels, types)
       SELECT c.name, ARRAY(SELECT jsonb_array_elements_text(c.channels)), ARRAY(SELECT jsonb_array_elements_text(c.types))
         FROM jsonb_to_recordset($1::jsonb) AS c(name text, channels jsonb, types jsonb)
       ON CONFLICT (name) DO UPDATE SET channels = EXCLUDED.channels, types = EXCLUDED.types, seen_at = now()`,
      [JSON.stringify(consumers)],
    );
  }

  /** Consumers among `names` with rows due now. */
  async due(names: string[]): Promise<string[]> {
    const rows = await this.rows<{ consumer: string }>(
      `SELECT DISTINCT consumer FROM event_outbox
        WHERE state = 'pending' AND next_attempt_at <= now() AND consumer = ANY($1)
          AND (leased_until IS NULL OR leased_until <= now())`,
      [names],
    );
    return rows.map((r) => r.consumer);
  }

  /**
   * Takes this consumer's turn to claim (a transaction-level advisory lock, held only by the short claim
   * transaction): claims of one consumer follow each other, so each sees the leases of the one before and an
   * appeal's events never go to two batches at once. False when another worker is claiming now.
   */
  async takeTurn(tx: Db, consumer: string): Promise<boolean> {
    const row = await this.one<{ locked: boolean }>(
      `SELECT pg_try_advisory_xact_lock(hashtextextended('event-outbox:' || $1, 0)) AS locked`,
      [consumer],
      tx,
    );
    return row?.locked === true;
  }

  /**
   * Leases the consumer's due rows, oldest first, to the batch `lease` for `leaseMs`: they are not due for
   * anyone until the lease runs out or the batch settles. An event waits while an earlier event of the same
   * appeal is backing off or leased to another batch (a status must not overtake the one before it). See
   * CLAIM_SQL for how it is read. Call after `takeTurn`, and commit before running the hooks.
   */
  claim(tx: Db, consumer: string, limit: number, lease: string, leaseMs: number): Promise<ClaimedEvent[]> {
    return this.rows<ClaimedEvent>(CLAIM_SQL, [consumer, limit, lease, leaseMs], tx);
  }

  /** Extends a batch's lease on the rows it still holds; returns how many it still holds. */
  async renew(consumer: string, lease: string, eventIds: string[], leaseMs: number): Promise<number> {
    const rows = await this.rows<{ event_id: string }>(
      `UPDATE event_outbox SET leased_until = now() + make_interval(secs => $4::float8 / 1000)
        WHERE consumer = $1 AND event_id = ANY($3::bigint[]) AND lease = $2::uuid
        RETURNING event_id`,
      [consumer, lease, eventIds, leaseMs],
    );
    return rows.length;
  }

  /**
   * A batch's outcome, in one statement: the handled rows deleted; the failed ones backing off (`retryInMs`), or
   * kept as dead letters when they failed for good (`'dead'`: a permanent error) or once they have failed at
   * least `giveUp.attempts` times over at least `giveUp.afterMs` since their first failure; the ones not tried
   * due again at once. Only rows still under this batch's lease are touched: a row whose lease ran out and was
   * taken over belongs to its new batch. Returns the events buried now.
   */
  async settle(
    consumer: string,
    lease: string,
    outcome: { done: string[]; failed: FailedAttempt[]; untried: string[] },
    giveUp: { attempts: number; afterMs: number },
  ): Promise<string[]> {
    const { done, failed, untried } = outcome;
    if (done.length + failed.length + untried.length === 0) return [];
    const rows = await this.rows<{ buried: string[] | null }>(SETTLE_SQL, [
      consumer,
      lease,
      done,
      failed.map((a) => a.eventId),
      failed.map((a) => a.reason.slice(0, 1000)),
      failed.map((a) => (a.retryInMs === 'dead' ? null : a.retryInMs)),
      untried,
      [...done, ...failed.map((a) => a.eventId), ...untried],
      giveUp.attempts,
      giveUp.afterMs,
    ]);
    return rows[0]?.buried ?? [];
  }

  dead(limit: number): Promise<DeadEvent[]> {
    return this.rows<DeadEvent>(
      `SELECT o.consumer, o.event_id::text AS "eventId", o.appeal_id AS "appealId",
              a.registration_number AS "registrationNumber", a.channel, e.type, o.attempts,
              o.last_error AS "lastError", o.failed_at AS "failedAt"
         FROM event_outbox o JOIN appeal_events e ON e.id = o.event_id JOIN appeals a ON a.id = o.appeal_id
        WHERE o.state = 'dead' ORDER BY o.failed_at DESC, o.event_id DESC LIMIT $1`,
      [limit],
    );
  }

  /**
   * Dead letters back to pending, due now, with a fresh count of attempts: one (consumer and event), every one of
   * a consumer (consumer alone), or all (nothing); returns how many.
   */
  async retryDead(which: { consumer?: string; eventId?: string } = {}): Promise<number> {
    const rows = await this.rows<{ event_id: string }>(
      `UPDATE event_outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), failed_at = NULL,
              first_failed_at = NULL
        WHERE state = 'dead' AND ($1::text IS NULL OR consumer = $1) AND ($2::bigint IS NULL OR event_id = $2::bigint)
        RETURNING event_id`,
      [which.consumer ?? null, which.eventId ?? null],
    );
    return rows.length;
  }

  async backlog(): Promise<ConsumerBacklog[]> {
    return this.rows<ConsumerBacklog>(
      `SELECT c.name AS consumer,
              count(o.*) FILTER (WHERE o.state = 'pending')::int AS pending,
              count(o.*) FILTER (WHERE o.state = 'pending' AND o.attempts > 0)::int AS retrying,
              count(o.*) FILTER (WHERE o.state = 'dead')::int AS dead,
              min(o.created_at) FILTER (WHERE o.state = 'pending') AS "oldestPendingAt",
              min(o.first_failed_at) FILTER (WHERE o.state = 'pending') AS "failingSince",
              (array_agg(o.last_error ORDER BY o.first_failed_at, o.event_id)
                 FILTER (WHERE o.state = 'pending' AND o.attempts > 0))[1] AS "lastError"
         FROM event_consumers c LEFT JOIN event_outbox o ON o.consumer = c.name
        GROUP BY c.name ORDER BY c.name`,
    );
  }

  /**
   * The whole outbox's figures for /health (issue 18): each count read through its partial index and capped at
   * HEALTH_COUNT_CAP, the oldest pending row the first entry of the pending rows' index by creation — the same
   * cost at any size of backlog or of dead letters.
   */
  async healthTotals(): Promise<OutboxCounts[]> {
    return this.rows<OutboxCounts>(OUTBOX_HEALTH_SQL);
  }

  /**
   * Every existing event of the consumers' interest queued again for them (an administrator's replay, and tests
   * that replay the history): hooks are idempotent, so a replay sends nothing twice. A row a batch is running
   * now is taken from it (its outcome no longer counts) but stays under the lease's end (`leased_until`) while
   * the batch runs, so no two workers run it together: the batch's settle makes it due (or, should that worker
   * die, the lease's end).
   */
  async replay(consumers: string[]): Promise<number> {
    const rows = await this.rows<{ event_id: string }>(
      `INSERT INTO event_outbox (consumer, event_id, appeal_id)
       SELECT c.name, e.id, e.appeal_id
         FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
         JOIN event_consumers c ON e.type = ANY (c.types) AND (a.channel = ANY (c.channels) OR '*' = ANY (c.channels))
        WHERE c.name = ANY($1)
       ON CONFLICT (consumer, event_id) DO UPDATE
          SET state = 'pending', lease = NULL, next_attempt_at = now()
       RETURNING event_id`,
      [consumers],
    );
    return rows.length;
  }
}

/**
 * A consumer's claim (AppealEventsOutbox.claim): $1 the consumer, $2 the batch's size, $3 the batch's lease, $4 its
 * length in ms. Its pending rows are read in order from `event_outbox_claim_idx` until the batch is full, and the
 * earlier events of each row's appeal by key (`event_outbox_appeal_idx`): as a subquery for each row (`OFFSET 0`),
 * by a state no partial index matches. Otherwise the planner, sure of one row on either side on a table it has not
 * analysed, read every pending row of the consumer again for each row (issue 18); before the index, a claim read
 * every consumer's rows due now. An earlier row not due now is backing off or leased to another batch: either
 * way the later one waits. The rows taken (locked by this statement, so all of them) are marked with the lease
 * and its end, found again by key: a join to the picked rows was planned as a scan of the table. The lease's
 * columns are in no index (migration OutboxLeaseInPlace), so marking a row is a heap-only update.
 */
export const CLAIM_SQL = `WITH picked AS (
       SELECT o.event_id, o.attempts, e.appeal_id, e.type, e.data, e.occurred_at, a.channel, a.registration_number
         FROM event_outbox o
         JOIN appeal_events e ON e.id = o.event_id
         JOIN appeals a ON a.id = e.appeal_id
        WHERE o.consumer = $1 AND o.state = 'pending' AND o.next_attempt_at <= now()
          AND (o.leased_until IS NULL OR o.leased_until <= now())
          AND NOT EXISTS (
                SELECT 1 FROM event_outbox p
                 WHERE p.consumer = o.consumer AND p.appeal_id = o.appeal_id AND p.event_id < o.event_id
                   AND p.state || '' = 'pending' AND (p.next_attempt_at > now() OR p.leased_until > now())
                OFFSET 0)
        ORDER BY o.event_id
        LIMIT $2
        FOR UPDATE OF o SKIP LOCKED),
     leased AS (
       UPDATE event_outbox SET lease = $3::uuid, leased_until = now() + make_interval(secs => $4::float8 / 1000)
        WHERE consumer = $1 AND event_id = ANY (ARRAY(SELECT event_id FROM picked)))
SELECT event_id::text AS id, attempts, appeal_id AS "appealId", type, data, occurred_at AS "occurredAt", channel,
       registration_number AS "registrationNumber"
  FROM picked
 ORDER BY event_id`;

/** A failed row is buried: a permanent error, or $9 attempts over at least $10 ms since its first failure (`o.*`:
 * the values before this attempt). */
const DEAD = `(f.retry_ms IS NULL OR (o.attempts + 1 >= $9
                AND coalesce(o.first_failed_at, now()) <= now() - make_interval(secs => $10::float8 / 1000)))`;

/**
 * A batch's outcome (AppealEventsOutbox.settle): $1 the consumer, $2 the lease; $3 the handled events; $4–$6 the
 * failed ones with their reasons and back-offs (NULL: a permanent error); $7 the ones not tried; $8 all of the
 * batch's; $9, $10 when a failing row is given up (DEAD). Each of the first three parts touches only rows still
 * under the lease, by key; the last makes due now a row of the batch that a replay took from it meanwhile
 * (AppealEventsOutbox.replay: lease cleared, its end kept), so the replay runs it again after this batch, as it
 * would have run after the batch's commit before leases. A released row was due when claimed: only its lease is
 * cleared (a heap-only update).
 */
const SETTLE_SQL = `WITH done AS (
       DELETE FROM event_outbox o
        WHERE o.consumer = $1 AND o.event_id = ANY($3::bigint[]) AND o.lease = $2::uuid
       RETURNING 1),
     failed AS (
       UPDATE event_outbox o
          SET attempts = o.attempts + 1, last_error = f.reason, lease = NULL, leased_until = NULL,
              first_failed_at = coalesce(o.first_failed_at, now()),
              state = CASE WHEN ${DEAD} THEN 'dead' ELSE 'pending' END,
              failed_at = CASE WHEN ${DEAD} THEN now() END,
              next_attempt_at = CASE WHEN ${DEAD} THEN o.next_attempt_at
                                     ELSE now() + make_interval(secs => f.retry_ms / 1000) END
         FROM unnest($4::bigint[], $5::text[], $6::float8[]) AS f(event_id, reason, retry_ms)
        WHERE o.consumer = $1 AND o.event_id = f.event_id AND o.lease = $2::uuid
       RETURNING o.event_id, o.state),
     released AS (
       UPDATE event_outbox o SET lease = NULL, leased_until = NULL
        WHERE o.consumer = $1 AND o.event_id = ANY($7::bigint[]) AND o.lease = $2::uuid
       RETURNING 1),
     replayed AS (
       UPDATE event_outbox o SET leased_until = NULL
        WHERE o.consumer = $1 AND o.event_id = ANY($8::bigint[]) AND o.lease IS NULL
          AND o.state = 'pending' AND o.leased_until > now()
       RETURNING 1)
SELECT (SELECT array_agg(event_id::text) FROM failed WHERE state = 'dead') AS buried,
       (SELECT count(*) FROM done) + (SELECT count(*) FROM released) + (SELECT count(*) FROM replayed) AS settled`;

/** /health's outbox figures (see AppealEventsOutbox.healthTotals): capped counts and one index lookup. */
export const OUTBOX_HEALTH_SQL = `SELECT '*' AS consumer,
              ${cappedCountSql(`FROM event_outbox WHERE state = 'pending'`)} AS pending,
              ${cappedCountSql(`FROM event_outbox WHERE state = 'pending' AND attempts > 0`)} AS retrying,
              ${cappedCountSql(`FROM event_outbox WHERE state = 'dead'`)} AS dead,
              (SELECT min(created_at) FROM event_outbox WHERE state = 'pending') AS "oldestPendingAt"`;
