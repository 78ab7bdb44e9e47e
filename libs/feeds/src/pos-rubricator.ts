import { type ChannelRubricator } from '@inbox/integrations/contract';

/**
 * One row of channel_categories. ПОС numbers subjects and subsubjects independently, so the mirror keys
 * them `subject:<id>` and `subsubject:<id>` and the two can never collide.
 */
export interface CategoryRow {
  externalId: string;
  parentExternalId: string | null;
  name: string;
  deleted: boolean;
}

export const subjectKey = (id: string) => `subject:${id}`;
export const subsubjectKey = (id: string) => `subsubject:${id}`;

/**
 * One row per key. ПОС lists some subsubjects under several subjects with the same id (the same subsubject
 * shared): it is one row, under the first subject that has it live, and live if any subject lists it live. Two
 * rows of one key would make the mirror's upsert fail ("ON CONFLICT DO UPDATE command cannot affect row a
 * second time") and the whole sync with it.
 */
export function rubricatorRows(rubricator: ChannelRubricator): CategoryRow[] {
  const rows = new Map<string, CategoryRow>();
  const add = (row: CategoryRow) => {
    const seen = rows.get(row.externalId);
    if (!seen || (seen.deleted && !row.deleted)) rows.set(row.externalId, row);
  };
  for (const c of rubricator.categories) {
    add({ externalId: subjectKey(c.id), parentExternalId: null, name: c.name, deleted: c.deleted });
    for (const s of c.subcategories) {
      add({
        externalId: subsubjectKey(s.id),
        parentExternalId: subjectKey(c.id),
        name: s.name,
        deleted: s.deleted,
      });
    }
  }
  return [...rows.values()];
}

/** The stored mirror as the connector's previous result, so whatever vanished from ПОС comes back deleted. */
export function rubricatorFromRows(rows: CategoryRow[], regionId: string): ChannelRubricator {
  const idOf = (key: string) => key.slice(key.indexOf(':') + 1);
  const subjects = rows.filter((r) => r.externalId.startsWith('subject:'));
  return {
    regionId,
    regions: [],
    categories: subjects.map((c) => ({
      id: idOf(c.externalId),
      name: c.name,
      deleted: c.deleted,
      subcategories: rows
        .filter((r) => r.parentExternalId === c.externalId)
        .map((s) => ({ id: idOf(s.externalId), name: s.name, deleted: s.deleted })),
    })),
  };
}
