import { type AuditLog, refusedOnRecord } from '@inbox/access';
import { notFoundError } from '@inbox/common';
import { type KnowledgeActor } from './knowledge-policy';
import { type AppealForKnowledge, type KnowledgeRepository } from './knowledge.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The appeal a knowledge base action is about, read through the one scope — checked before anything else the
 * request names (an article, a section), so an appeal outside the caller's scope is refused the same way
 * whatever else is sent. Outside the scope and absent are the same 404, and the attempt is audited as denied,
 * as the workflow's commands do (R10). Read and audited on the pool: a caller checks before it opens a transaction
 * (a denial recorded from inside one would wait for a second connection while holding the first — with the pool's
 * others held the same way, for ever).
 */
export async function appealInScope(
  deps: { repo: KnowledgeRepository; audit: AuditLog },
  appealId: string,
  actor: KnowledgeActor,
  action: string,
): Promise<AppealForKnowledge> {
  const appeal = UUID.test(appealId) ? await deps.repo.appeal(appealId, actor.scope) : undefined;
  if (appeal) return appeal;
  const refusal = notFoundError('Обращение не найдено');
  if (!UUID.test(appealId)) throw refusal;
  return refusedOnRecord(
    deps.audit,
    { userId: actor.userId, action, entityType: 'appeal', entityId: appealId },
    refusal,
  );
}
