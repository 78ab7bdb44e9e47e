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
 * writes one row per interested consumer in the appending transaction; consumers claim, delete, back off and
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
        WHERE state = 'pending' AND next_attempt_at <= now() AND consumer = ANY($1)`,
      [names],
    );
    return rows.map((r) => r.consumer);
  }

  /**
   * Takes this consumer's turn (one drainer per consumer across all workers: a transaction-level advisory lock,
   * so events of one appeal reach it in order). False when another worker has it now.
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
   * The consumer's due rows, oldest first, locked for this transaction. An event waits while an earlier event of
   * the same appeal is backing off for this consumer (a status must not overtake the one before it). See
   * CLAIM_SQL for how it is read.
   */
  claim(tx: Db, consumer: string, limit: number): Promise<ClaimedEvent[]> {
    return this.rows<ClaimedEvent>(CLAIM_SQL, [consumer, limit], tx);
  }

  async done(tx: Db, consumer: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.rows(
      `DELETE FROM event_outbox WHERE consumer = $1 AND event_id = ANY($2::bigint[])`,
      [consumer, eventIds],
      tx,
    );
  }

  /**
   * Failed attempts, in one statement: each backs off (`retryInMs`); it stays as a dead letter when it failed for
   * good (`'dead'`: a permanent error), or once it has failed at least `giveUp.attempts` times over at least
   * `giveUp.afterMs` since its first failure. Returns the events buried now.
   */
  async failed(
    tx: Db,
    consumer: string,
    attempts: FailedAttempt[],
    giveUp: { attempts: number; afterMs: number },
  ): Promise<string[]> {
    if (attempts.length === 0) return [];
    // o.* are the values before this attempt.
    const dead = `(f.retry_ms IS NULL OR (o.attempts + 1 >= $5
                    AND coalesce(o.first_failed_at, now()) <= now() - make_interval(secs => $6::float8 / 1000)))`;
    const rows = await this.rows<{ id: string; state: string }>(
      `UPDATE event_outbox o
          SET attempts = o.attempts + 1, last_error = f.reason,
              first_failed_at = coalesce(o.first_failed_at, now()),
              state = CASE WHEN ${dead} THEN 'dead' ELSE 'pending' END,
              failed_at = CASE WHEN ${dead} THEN now() END,
              next_attempt_at = CASE WHEN ${dead} THEN o.next_attempt_at
                                     ELSE now() + make_interval(secs => f.retry_ms / 1000) END
         FROM unnest($2::bigint[], $3::text[], $4::float8[]) AS f(event_id, reason, retry_ms)
        WHERE o.consumer = $1 AND o.event_id = f.event_id
        RETURNING o.event_id::text AS id, o.state`,
      [
        consumer,
        attempts.map((a) => a.eventId),
        attempts.map((a) => a.reason.slice(0, 1000)),
        attempts.map((a) => (a.retryInMs === 'dead' ? null : a.retryInMs)),
        giveUp.attempts,
        giveUp.afterMs,
      ],
      tx,
    );
    return rows.filter((r) => r.state === 'dead').map((r) => r.id);
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
   * that replay the history): hooks are idempotent, so a replay sends nothing twice.
   */
  async replay(consumers: string[]): Promise<number> {
    const rows = await this.rows<{ event_id: string }>(
      `INSERT INTO event_outbox (consumer, event_id, appeal_id)
       SELECT c.name, e.id, e.appeal_id
         FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
         JOIN event_consumers c ON e.type = ANY (c.types) AND (a.channel = ANY (c.channels) OR '*' = ANY (c.channels))
        WHERE c.name = ANY($1)
       ON CONFLICT (consumer, event_id) DO UPDATE SET state = 'pending', next_attempt_at = now()
       RETURNING event_id`,
      [consumers],
    );
    return rows.length;
  }
}

/**
 * A consumer's claim (AppealEventsOutbox.claim): $1 the consumer, $2 the batch's size. Its pending rows are read in
 * order from `event_outbox_claim_idx` until the batch is full, and the earlier events of each row's appeal by key
 * (`event_outbox_appeal_idx`): as a subquery for each row (`OFFSET 0`), by a state no partial index matches.
 * Otherwise the planner, sure of one row on either side on a table it has not analysed, read every pending row
 * of the consumer again for each row (issue 18); before the index, a claim read every consumer's rows due now.
 */
export const CLAIM_SQL = `SELECT o.event_id::text AS id, o.attempts, e.appeal_id AS "appealId", e.type, e.data,
              e.occurred_at AS "occurredAt", a.channel, a.registration_number AS "registrationNumber"
         FROM event_outbox o
         JOIN appeal_events e ON e.id = o.event_id
         JOIN appeals a ON a.id = e.appeal_id
        WHERE o.consumer = $1 AND o.state = 'pending' AND o.next_attempt_at <= now()
          AND NOT EXISTS (
                SELECT 1 FROM event_outbox p
                 WHERE p.consumer = o.consumer AND p.appeal_id = o.appeal_id AND p.event_id < o.event_id
                   AND p.state || '' = 'pending' AND p.next_attempt_at > now()
                OFFSET 0)
        ORDER BY o.event_id
        LIMIT $2
        FOR UPDATE OF o SKIP LOCKED`;

/** /health's outbox figures (see AppealEventsOutbox.healthTotals): capped counts and one index lookup. */
export const OUTBOX_HEALTH_SQL = `SELECT '*' AS consumer,
              ${cappedCountSql(`FROM event_outbox WHERE state = 'pending'`)} AS pending,
              ${cappedCountSql(`FROM event_outbox WHERE state = 'pending' AND attempts > 0`)} AS retrying,
              ${cappedCountSql(`FROM event_outbox WHERE state = 'dead'`)} AS dead,
              (SELECT min(created_at) FROM event_outbox WHERE state = 'pending') AS "oldestPendingAt"`;
