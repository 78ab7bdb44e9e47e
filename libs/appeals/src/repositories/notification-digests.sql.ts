/**
 * Supervisors' counted notices, shared by the clock sweeps (appeals' terms in libs/clocks, the knowledge base's in
 * libs/knowledge): a supervisor over another organisation (a subordinate one, or any, region-wide) is told its new
 * marks counted — one notification per organisation, kind and the supervisor's day, updated in place — instead of
 * one per item (a region's supervisor read «99+» after a busy day). The notice's items are in
 * `notifications.appeal_ids` (migration ClockDigestNotifications: the appeals of an appeal clock's notice, the
 * requests and sections of a knowledge base one). Each sweep builds its statement from these CTE fragments.
 */

/** How many items a counted notice names: the latest marked, newest first. */
export const DIGEST_LATEST = 3;

/** What a sweep's counted notice says: the words around the count, and each item's label. */
export interface DigestWording {
  /** The notification kind that reads as overdue (any other: at risk). */
  overdueKind: string;
  /** Before the count, and the noun after it for a count of 1 / 2–4 / 5 and more («обращение», …). */
  overdue: { before: string; nouns: [string, string, string] };
  atRisk: { before: string; nouns: [string, string, string] };
  /** Joins naming an item `t.id` (`FROM unnest(ids) t(id, ord) <from>`), and its label (NULL: left out). */
  labelFrom: string;
  label: string;
  /**
   * Columns of the notice that name its latest item of a table (e.g. kb_section_id: the header's list opens that
   * section's row among the others).
   */
  latest?: { column: string; table: string }[];
}

/** The latest item of `ids` (SQL) found in each of the wording's tables, in the order of its `latest`. */
function latestSql(w: DigestWording, ids: string): string[] {
  return (w.latest ?? []).map(
    (l) => `(SELECT x.id FROM unnest(${ids}) WITH ORDINALITY AS t(id, ord) JOIN ${l.table} x ON x.id = t.id
              ORDER BY t.ord DESC LIMIT 1)`,
  );
}

/** The items of `ids` (SQL, uuid[]) each once, in the order each first comes. */
function mergedSql(ids: string): string {
  return `(SELECT array_agg(x.id ORDER BY x.first)
      FROM (SELECT t.id, min(t.ord) AS first FROM unnest(${ids}) WITH ORDINALITY AS t(id, ord) GROUP BY t.id) x)`;
}

/** The count phrase's noun for the count `n` (SQL), Russian plural rules. */
function nounSql(n: string, [one, few, many]: [string, string, string]): string {
  return `CASE WHEN ${n} % 10 = 1 AND ${n} % 100 <> 11 THEN '${one}'
      WHEN ${n} % 10 BETWEEN 2 AND 4 AND ${n} % 100 NOT BETWEEN 12 AND 14 THEN '${few}' ELSE '${many}' END`;
}

/**
 * The counted notice's text (SQL over its kind, the organisation's short name, the day and the items counted):
 * «ГЖИ: просрочено 4 обращения за 07.12.2026 — последние № 2026-000125, № 2026-000124, № 2026-000120».
 */
function digestTextSql(w: DigestWording, kind: string, org: string, day: string, ids: string): string {
  const n = `cardinality(${ids})`;
  return `${org} || ': ' || CASE ${kind}
      WHEN '${w.overdueKind}' THEN '${w.overdue.before} ' || ${n} || ' ' || ${nounSql(n, w.overdue.nouns)}
      ELSE '${w.atRisk.before} ' || ${n} || ' ' || ${nounSql(n, w.atRisk.nouns)}
    END || ' за ' || to_char(${day}, 'DD.MM.YYYY') || ' — '
    || CASE WHEN ${n} > ${DIGEST_LATEST} THEN 'последние ' ELSE '' END
    || (SELECT string_agg(${w.label}, ', ' ORDER BY t.ord DESC)
          FROM unnest(${ids}) WITH ORDINALITY AS t(id, ord) ${w.labelFrom}
         WHERE t.ord > ${n} - ${DIGEST_LATEST})`;
}

/**
 * CTEs `lineage` and `supervised` (to follow a `marks` CTE with `id` and `organisation_id`): the supervisors whose
 * scope covers the marked organisation — of it or an ancestor, or region-wide (as StaffUsers.scopeOf) — with `own`
 * when it is their own organisation (they are told item by item; the others, counted).
 */
export const SUPERVISED_CTES = `lineage AS (
  -- Every organisation with itself and its ancestors; UNION stops on a (misconfigured) parent cycle.
  SELECT o.id AS organisation_id, o.id AS ancestor_id, o.parent_id FROM organisations o
  UNION
  SELECT l.organisation_id, p.id, p.parent_id FROM lineage l JOIN organisations p ON p.id = l.parent_id
), supervised AS (
  SELECT m.id AS mark_id, u.id AS user_id, u.organisation_id = m.organisation_id AS own
    FROM marks m
    JOIN lineage l ON l.organisation_id = m.organisation_id
    JOIN users u ON u.organisation_id = l.ancestor_id AND u.role = 'supervisor' AND u.active
  UNION
  SELECT m.id, u.id, u.organisation_id = m.organisation_id
    FROM marks m
    CROSS JOIN users u
    JOIN organisations uo ON uo.id = u.organisation_id AND uo.kind IN ('region', 'management-centre')
   WHERE u.role = 'supervisor' AND u.active
)`;

/**
 * CTEs `digested` and `digests` (to follow `marks` — `id`, `organisation_id`, `kind`, and the item's column —,
 * `supervised` and `recipients`, the item-by-item notices' (mark_id, user_id)): a supervisor over another
 * organisation, not told of the mark item by item, gets the marks counted in one notice per organisation, kind
 * (`kindPrefix` || the mark's kind) and their day (in their organisation's zone, at `at`), the items in the order
 * marked. Updated in place: the day's notice gets the new items after those it had (each once), its text anew, a
 * new id (it comes first in the list again, and «Отметить все прочитанными» up to an older id leaves it unread)
 * and is unread again. `digests` returns a row per notice written or updated.
 */
export function digestCtes(opts: {
  item: string;
  kindPrefix: string;
  at: string;
  wording: DigestWording;
}): string {
  const w = opts.wording;
  const latest = (w.latest ?? []).map((l) => `, ${l.column}`).join('');
  return `digested AS (
  SELECT s.user_id, m.organisation_id, '${opts.kindPrefix}' || m.kind AS kind,
         (${opts.at} AT TIME ZONE uo.time_zone)::date AS day,
         array_agg(m.${opts.item} ORDER BY m.id) AS item_ids
    FROM supervised s
    JOIN marks m ON m.id = s.mark_id
    JOIN users u ON u.id = s.user_id
    JOIN organisations uo ON uo.id = u.organisation_id
   WHERE NOT s.own
     AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.mark_id = s.mark_id AND r.user_id = s.user_id)
   GROUP BY s.user_id, m.organisation_id, m.kind, uo.time_zone
), digests AS (
  -- Merged with the row as it is when written (ON CONFLICT sees the committed one): two sweeps at once (the
  -- knowledge base's are not serialised) each add their items, neither drops the other's.
  INSERT INTO notifications AS n (user_id, kind, organisation_id, digest_day, appeal_ids, text${latest})
  SELECT d.user_id, d.kind, d.organisation_id, d.day, merged.ids,
         ${[digestTextSql(w, 'd.kind', 'o.short_name', 'd.day', 'merged.ids'), ...latestSql(w, 'merged.ids')].join(',\n         ')}
    FROM digested d
    JOIN organisations o ON o.id = d.organisation_id
    CROSS JOIN LATERAL (SELECT ${mergedSql('d.item_ids')} AS ids) merged
   ORDER BY d.user_id, d.organisation_id, d.kind
  ON CONFLICT (user_id, organisation_id, kind, digest_day) WHERE digest_day IS NOT NULL DO UPDATE
     SET (appeal_ids, text${latest}) = (
           SELECT merged.ids,
                  ${[digestTextSql(w, 'n.kind', 'o.short_name', 'n.digest_day', 'merged.ids'), ...latestSql(w, 'merged.ids')].join(',\n                  ')}
             FROM organisations o
             CROSS JOIN LATERAL (SELECT ${mergedSql('n.appeal_ids || EXCLUDED.appeal_ids')} AS ids) merged
            WHERE o.id = n.organisation_id),
         id = nextval('notifications_id_seq'), created_at = now(), read_at = NULL
  RETURNING 1
)`;
}
