import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessScope, AuditLog, Role } from '@inbox/access';
import { type Actor, AppealWorkflow, WorkflowError } from '@inbox/appeals';
import {
  conflictError,
  decodeTimeIdCursor,
  encodeCursor,
  forbiddenError,
  invalidInput,
  notFoundError,
  rootLogger,
  rowsOf,
  UUID,
} from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { tokenize } from '@inbox/text-classifier';
import { addressKey, jaccard, minHashBands, wordShingles } from '@inbox/text-classifier';

/** Texts shorter than this ("Спасибо!", "Когда?") say too little to be grouped by their words. */
export const MIN_WORDS_FOR_TEXT_MATCH = 6;
const CANDIDATES = 200;
export const MAX_INCIDENT_ANSWER = 10_000;

export interface ClusterInput {
  id: string;
  registeredAt: Date;
  topicId: string | null;
  subject: string | null;
  text: string;
  address: string | null;
}

type MatchBy = 'text' | 'address';

const SCOPED_APPEAL =
  'EXISTS (SELECT 1 FROM appeal_organisations so WHERE so.appeal_id = a.id AND so.organisation_id = ANY(?))';

/**
 * Incidents: many items about one problem — near-identical texts (word 3-gram Jaccard, candidates found
 * through MinHash LSH bands), or the same normalised address and topic — within a time window, whatever
 * channel they came by. Grouping is serialised (one advisory lock, a few statements per item) so that a
 * burst of items never splits one problem into several incidents. A clerk answers the incident once and
 * every citizen gets the answer through their own channel, via the ordinary workflow.
 */
@Injectable()
export class Incidents {
  private readonly log = rootLogger.child('incidents');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly workflow: AppealWorkflow,
    private readonly audit: AuditLog,
  ) {}

  async cluster(a: ClusterInput): Promise<{ incidentId: string; created: boolean } | undefined> {
    const fullText = a.subject ? `${a.subject}.\n${a.text}` : a.text;
    const shingles = wordShingles(fullText);
    const bands = tokenize(fullText).length >= MIN_WORDS_FOR_TEXT_MATCH ? minHashBands(shingles) : [];
    const address = addressKey(a.address);
    const windowMs = this.config.incidentWindowHours * 3_600_000;
    const from = new Date(a.registeredAt.getTime() - windowMs);
    const to = new Date(a.registeredAt.getTime() + windowMs);
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('incident-clustering'))`);
      await tx.query(
        `INSERT INTO appeal_cluster_keys (appeal_id, registered_at, topic_id, address_key, bands)
         VALUES ($1, $2, $3, $4, $5::bigint[])
         ON CONFLICT (appeal_id) DO UPDATE SET topic_id = EXCLUDED.topic_id, address_key = EXCLUDED.address_key,
           bands = EXCLUDED.bands`,
        [a.id, a.registeredAt, a.topicId, address ?? null, bands],
      );
      const [me] = (await tx.query(`SELECT incident_id FROM appeals WHERE id = $1 FOR UPDATE`, [a.id])) as {
        incident_id: string | null;
      }[];
      if (!me || me.incident_id) return undefined;

      const matches = new Map<
        string,
        { by: MatchBy; similarity?: number; incidentId: string | null; open: boolean }
      >();
      if (bands.length > 0) {
        const candidates = (await tx.query(
          `SELECT k.appeal_id AS id, x.subject, x.text, x.incident_id, i.status
             FROM appeal_cluster_keys k JOIN appeals x ON x.id = k.appeal_id
             LEFT JOIN incidents i ON i.id = x.incident_id
            WHERE k.bands && $1::bigint[] AND k.appeal_id <> $2 AND k.registered_at BETWEEN $3 AND $4
            ORDER BY k.registered_at DESC LIMIT ${CANDIDATES}`,
          [bands, a.id, from, to],
        )) as {
          id: string;
          subject: string | null;
          text: string;
          incident_id: string | null;
          status: string | null;
        }[];
        for (const c of candidates) {
          const similarity = jaccard(shingles, wordShingles(c.subject ? `${c.subject}.\n${c.text}` : c.text));
          if (similarity < this.config.incidentSimilarity) continue;
          matches.set(c.id, {
            by: 'text',
            similarity: Math.round(similarity * 1000) / 1000,
            incidentId: c.incident_id,
            open: c.status === 'open',
          });
        }
      }
      if (address && a.topicId) {
        const sameAddress = (await tx.query(
          `SELECT k.appeal_id AS id, x.incident_id, i.status
             FROM appeal_cluster_keys k JOIN appeals x ON x.id = k.appeal_id
             LEFT JOIN incidents i ON i.id = x.incident_id
            WHERE k.address_key = $1 AND k.topic_id = $2 AND k.appeal_id <> $3 AND k.registered_at BETWEEN $4 AND $5
            ORDER BY k.registered_at DESC LIMIT ${CANDIDATES}`,
          [address, a.topicId, a.id, from, to],
        )) as { id: string; incident_id: string | null; status: string | null }[];
        for (const c of sameAddress) {
          if (!matches.has(c.id)) {
            matches.set(c.id, { by: 'address', incidentId: c.incident_id, open: c.status === 'open' });
          }
        }
      }
      if (matches.size === 0) return undefined;

      const openIds = [...new Set([...matches.values()].filter((m) => m.open).map((m) => m.incidentId!))];
      let incidentId: string;
      let created = false;
      if (openIds.length > 0) {
        const [latest] = (await tx.query(
          `SELECT id FROM incidents WHERE id = ANY($1::uuid[]) ORDER BY last_at DESC, id LIMIT 1`,
          [openIds],
        )) as { id: string }[];
        incidentId = latest.id;
      } else {
        const [row] = (await tx.query(
          `INSERT INTO incidents (title, topic_id, address_key, first_at, last_at) VALUES ($1, $2, $3, $4, $4)
           RETURNING id`,
          [incidentTitle(a), a.topicId, address ?? null, a.registeredAt],
        )) as { id: string }[];
        incidentId = row.id;
        created = true;
      }
      // A new incident gathers the matches that belong to none; an open one is joined by this item alone.
      const joining = created
        ? [...matches.entries()].filter(([, m]) => !m.incidentId).map(([id]) => id)
        : [];
      const linked = rowsOf<{ id: string }>(
        await tx.query(
          `UPDATE appeals SET incident_id = $1, updated_at = now(), version = version + 1
            WHERE id = ANY($2::uuid[]) AND incident_id IS NULL RETURNING id`,
          [incidentId, [a.id, ...joining]],
        ),
      );
      for (const { id } of linked) {
        const m = id === a.id ? bestMatch(matches) : matches.get(id);
        await tx.query(
          `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'incident-linked', $2)`,
          [
            id,
            {
              incidentId,
              by: m?.by ?? 'text',
              ...(m?.similarity !== undefined ? { similarity: m.similarity } : {}),
            },
          ],
        );
      }
      await this.refreshCounts(tx, incidentId, a.topicId);
      return { incidentId, created };
    });
  }

  async list(
    filter: { status?: string; limit?: number; cursor?: string },
    scope: AccessScope,
  ): Promise<{ items: unknown[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status) add('i.status = ?', filter.status);
    if (scope.organisationIds !== null) {
      add(
        `EXISTS (SELECT 1 FROM appeals a WHERE a.incident_id = i.id AND ${SCOPED_APPEAL})`,
        scope.organisationIds,
      );
    }
    if (filter.cursor) {
      const c = decodeTimeIdCursor(filter.cursor);
      params.push(c.at, c.id);
      where.push(`(i.last_at, i.id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const rows = (await this.dataSource.query(
      `SELECT i.id, i.title, i.topic_id AS "topicId", t.name AS "topicName", i.status, i.appeals_count AS "appealsCount",
              i.first_at AS "firstAt", i.last_at AS "lastAt", i.created_at AS "createdAt", i.answered_at AS "answeredAt",
              (SELECT coalesce(array_agg(DISTINCT a.channel ORDER BY a.channel), '{}') FROM appeals a
                WHERE a.incident_id = i.id) AS channels
         FROM incidents i LEFT JOIN topics t ON t.id = i.topic_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY i.last_at DESC, i.id DESC LIMIT $${params.length}`,
      params,
    )) as { id: string; lastAt: Date }[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor:
        rows.length > limit && last ? encodeCursor([new Date(last.lastAt).toISOString(), last.id]) : null,
    };
  }

  async get(id: string, scope: AccessScope) {
    if (!UUID.test(id)) throw notFoundError('Инцидент не найден');
    const [incident] = (await this.dataSource.query(
      `SELECT i.id, i.title, i.topic_id AS "topicId", t.name AS "topicName", i.address_key AS "addressKey", i.status,
              i.appeals_count AS "appealsCount", i.first_at AS "firstAt", i.last_at AS "lastAt",
              i.created_at AS "createdAt", i.answered_at AS "answeredAt", i.answered_by AS "answeredBy"
         FROM incidents i LEFT JOIN topics t ON t.id = i.topic_id WHERE i.id = $1`,
      [id],
    )) as Record<string, unknown>[];
    if (!incident) throw notFoundError('Инцидент не найден');
    const scoped = scope.organisationIds !== null;
    const appeals = (await this.dataSource.query(
      `SELECT a.id, a.registration_number AS "registrationNumber", a.registered_at AS "registeredAt", a.channel,
              a.status, a.subject, left(a.text, 200) AS excerpt, a.fast_track AS "fastTrack",
              to_char(a.answer_due_date, 'YYYY-MM-DD') AS "answerDueDate"
         FROM appeals a WHERE a.incident_id = $1 ${scoped ? `AND ${SCOPED_APPEAL.replace('?', '$2')}` : ''}
        ORDER BY a.registered_at, a.id`,
      scoped ? [id, scope.organisationIds] : [id],
    )) as unknown[];
    if (scoped && appeals.length === 0) throw notFoundError('Инцидент не найден');
    return { ...incident, appeals };
  }

  /**
   * One answer for the whole incident: for every appeal still open, an answer is drafted, approved and sent
   * through the ordinary workflow, so each citizen gets it through the channel they wrote by. The answer is
   * approved by the same person, so only a supervisor or an administrator may do it. The incident is
   * claimed first: two answers at once cannot both go out.
   */
  async answer(
    id: string,
    text: string,
    actor: Actor,
  ): Promise<{
    incidentId: string;
    answered: number;
    skipped: number;
    failed: { appealId: string; message: string }[];
  }> {
    if (!UUID.test(id)) throw notFoundError('Инцидент не найден');
    const body = text?.trim() ?? '';
    if (!body) throw invalidInput('Напишите текст ответа', { text: 'Пустой ответ' });
    if (body.length > MAX_INCIDENT_ANSWER) {
      throw invalidInput(`Ответ — не длиннее ${MAX_INCIDENT_ANSWER} символов`, {
        text: 'Слишком длинный',
      });
    }
    if (actor.role !== Role.Supervisor && actor.role !== Role.Admin) {
      throw forbiddenError('Ответ сразу на весь инцидент отправляет и согласует руководитель');
    }
    const claimed = rowsOf<{ id: string }>(
      await this.dataSource.query(
        `UPDATE incidents SET status = 'answered', answered_at = now(), answered_by = $2
          WHERE id = $1 AND status = 'open' RETURNING id`,
        [id, actor.userId],
      ),
    );
    if (claimed.length === 0) {
      const [row] = (await this.dataSource.query(`SELECT status FROM incidents WHERE id = $1`, [id])) as {
        status: string;
      }[];
      if (!row) throw notFoundError('Инцидент не найден');
      throw conflictError('На инцидент уже дан ответ или он закрыт');
    }
    const appeals = (await this.dataSource.query(
      `SELECT id, status FROM appeals WHERE incident_id = $1 ORDER BY registered_at, id`,
      [id],
    )) as { id: string; status: string }[];
    let answered = 0;
    let skipped = 0;
    const failed: { appealId: string; message: string }[] = [];
    for (const appeal of appeals) {
      if (['answered', 'closed', 'redirected'].includes(appeal.status)) {
        skipped++;
        continue;
      }
      try {
        const answerId = await this.workflow.draftAnswer(appeal.id, actor, { text: body });
        await this.workflow.approveAnswer(appeal.id, answerId, actor);
        await this.workflow.sendAnswer(appeal.id, answerId, actor);
        await this.dataSource.query(
          `INSERT INTO appeal_events (appeal_id, type, actor, data) VALUES ($1, 'incident-answered', $2, $3)`,
          [appeal.id, actor.userId, { incidentId: id, answerId }],
        );
        answered++;
      } catch (error) {
        if (!(error instanceof WorkflowError)) throw error;
        failed.push({ appealId: appeal.id, message: error.message });
      }
    }
    if (answered === 0 && failed.length > 0) {
      await this.dataSource.query(
        `UPDATE incidents SET status = 'open', answered_at = NULL, answered_by = NULL WHERE id = $1`,
        [id],
      );
    }
    await this.audit.record({
      userId: actor.userId,
      action: 'incident.answer',
      entityType: 'incident',
      entityId: id,
      details: { answered, skipped, failed: failed.length },
    });
    this.log.info('incident answered', { incidentId: id, answered, skipped, failed: failed.length });
    return { incidentId: id, answered, skipped, failed };
  }

  private async refreshCounts(tx: EntityManager, incidentId: string, topicId: string | null): Promise<void> {
    await tx.query(
      `UPDATE incidents i SET appeals_count = s.n, first_at = s.first_at, last_at = s.last_at,
              topic_id = coalesce(i.topic_id, $2)
         FROM (SELECT count(*)::int AS n, min(registered_at) AS first_at, max(registered_at) AS last_at
                 FROM appeals WHERE incident_id = $1) s
        WHERE i.id = $1`,
      [incidentId, topicId],
    );
  }
}

function bestMatch(matches: Map<string, { by: MatchBy; similarity?: number }>) {
  let best: { by: MatchBy; similarity?: number } | undefined;
  for (const m of matches.values()) {
    if (!best || (m.similarity ?? 0) > (best.similarity ?? 0)) best = m;
  }
  return best;
}

function incidentTitle(a: ClusterInput): string {
  const source = (a.subject?.trim() || a.text.trim()).replace(/\s+/g, ' ');
  const title = source.length > 120 ? `${source.slice(0, 120)}…` : source;
  return a.address ? `${title} — ${a.address.slice(0, 120)}` : title;
}
