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

export function rubricatorRows(rubricator: ChannelRubricator): CategoryRow[] {
  return rubricator.categories.flatMap((c) => [
    { externalId: subjectKey(c.id), parentExternalId: null, name: c.name, deleted: c.deleted },
    ...c.subcategories.map((s) => ({
      externalId: subsubjectKey(s.id),
      parentExternalId: subjectKey(c.id),
      name: s.name,
      deleted: s.deleted,
    })),
  ]);
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
