/*
 * ПОС's own record of a message, as the connector kept it on the item's features (pos.status, pos.statusText,
 * pos.factId, pos.warnings and pos.history as JSON, pos.organisation.*) → events of the appeal's history and the
 * organisation's requisites. Pure functions.
 */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

function jsonList(value: string | undefined): unknown[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/** Only the fields that are there: an event's data carries no empty keys. */
function present(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
  );
}

/**
 * `pos-status` (once: ПОС's status of the message when it came, its Russian statusText, factId, warnings) and one
 * `pos-history` per history[] entry (status, statusText, when, who, the answer), keyed by their place.
 */
export function posChannelEvents(
  features: Record<string, string>,
): { type: string; key: string; data: Record<string, unknown> }[] {
  const events: { type: string; key: string; data: Record<string, unknown> }[] = [];
  const warnings = jsonList(features['pos.warnings']).filter((w): w is string => typeof w === 'string');
  const status = present({
    status: text(features['pos.status']),
    statusText: text(features['pos.statusText']),
    factId: text(features['pos.factId']),
    warnings,
  });
  if (Object.keys(status).length > 0) events.push({ type: 'pos-status', key: 'received', data: status });
  for (const [index, entry] of jsonList(features['pos.history']).entries()) {
    if (!isRecord(entry)) continue;
    const answer = isRecord(entry.answer)
      ? present({
          answerType: text(entry.answer.answerType),
          comment: text(entry.answer.comment),
          rejectReason: text(entry.answer.rejectReason),
        })
      : {};
    const data = present({
      status: text(entry.status),
      statusText: text(entry.statusText),
      at: text(entry.createdAt),
      by: text(entry.createdBy),
      ...(Object.keys(answer).length > 0 ? { answer } : {}),
    });
    if (Object.keys(data).length > 0) events.push({ type: 'pos-history', key: String(index), data });
  }
  return events;
}

/** The recipient organisation's requisites ПОС sent (organizationInfo), or undefined when it sent none. */
export function posRequisites(
  features: Record<string, string>,
): { inn?: string; kpp?: string; ogrn?: string; oktmo?: string; address?: string } | undefined {
  const out = present({
    inn: text(features['pos.organisation.inn']),
    kpp: text(features['pos.organisation.kpp']),
    ogrn: text(features['pos.organisation.ogrn']),
    oktmo: text(features['pos.organisation.oktmo']),
    address: text(features['pos.organisation.address']),
  }) as { inn?: string; kpp?: string; ogrn?: string; oktmo?: string; address?: string };
  return Object.keys(out).length > 0 ? out : undefined;
}
