import { russianDate } from '@inbox/appeals';
import { type StatusUpdate } from '@inbox/integrations/contract';

/** The history events a ПОС appeal reports back to ПОС; the answer itself goes through delivery → send. */
export const POS_STATUS_EVENTS = ['taken', 'extended', 'escalated', 'reopened'] as const;

export interface PosStatusContext {
  /** The ПОС message id (the appeal's external id). */
  externalId: string;
  timeZone: string;
  /** Our organisations named in the event, by id. */
  organisations: Map<string, { code: string; name: string }>;
  /** Our organisation code → ПОС organisation id (POS_ORGANISATIONS). */
  posIds: Record<string, string>;
}

export type PosStatusDecision = { update: StatusUpdate } | { skip: string } | undefined;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * What ПОС should learn from one history event of a ПОС appeal: a status update, a reason it cannot be
 * told (kept visible), or nothing. Comments are shown to the citizen on Gosuslugi, so they are Russian.
 */
export function posStatusUpdate(
  event: { type: string; data: Record<string, unknown>; occurredAt: Date | string },
  ctx: PosStatusContext,
): PosStatusDecision {
  const at = new Date(event.occurredAt).toISOString();
  const base = { externalId: ctx.externalId, at };
  const d = event.data ?? {};
  switch (event.type) {
    case 'taken':
      // Re-assigning an appeal already in work is not news for ПОС.
      if (d.from === d.to) return undefined;
      return { update: { ...base, status: 'taken-to-work', comment: 'Обращение взято в работу' } };
    case 'extended': {
      const due = str(d.answerDueAt);
      if (!due) return { skip: 'в событии продления нет нового срока' };
      const reason = str(d.reason);
      return {
        update: {
          ...base,
          status: 'postponed',
          plannedAnswerAt: new Date(due).toISOString(),
          comment:
            `Срок рассмотрения продлён до ${russianDate(due, ctx.timeZone)}` +
            (reason ? `. Причина: ${reason}` : ''),
        },
      };
    }
    case 'escalated': {
      const ids = Array.isArray(d.organisationIds)
        ? d.organisationIds.filter((v) => typeof v === 'string')
        : [];
      // ПОС keeps one organisation per message: the first one it knows takes it.
      const target = ids
        .map((id) => ctx.organisations.get(id as string))
        .find((o) => o && ctx.posIds[o.code] !== undefined);
      if (!target)
        return { skip: 'ни одна из организаций не сопоставлена с организацией ПОС (POS_ORGANISATIONS)' };
      return {
        update: {
          ...base,
          status: 'forwarded-down',
          organisationExternalId: ctx.posIds[target.code],
          comment: `Передано на рассмотрение: ${target.name}`,
        },
      };
    }
    case 'reopened': {
      const to = str(d.toOrganisationId) ? ctx.organisations.get(d.toOrganisationId as string) : undefined;
      const posId = to ? ctx.posIds[to.code] : undefined;
      return {
        update: {
          ...base,
          status: 'forwarded-up',
          ...(posId ? { organisationExternalId: posId } : {}),
          comment: to
            ? `Направлено на повторное рассмотрение в вышестоящую организацию: ${to.name}`
            : 'Направлено на повторное рассмотрение в вышестоящую организацию',
        },
      };
    }
    default:
      return undefined;
  }
}
