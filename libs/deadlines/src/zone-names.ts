/** The Russian names of the region's zones, as the workspace names them (apps/web lib/time). */
export const ZONE_CITY: Readonly<Record<string, string>> = {
  'Asia/Novosibirsk': 'Новосибирск',
  'Asia/Omsk': 'Омск',
  'Asia/Krasnoyarsk': 'Красноярск',
  'Asia/Tomsk': 'Томск',
  'Europe/Moscow': 'Москва',
};

/**
 * A Postgres expression for a zone as staff read it in a notification's text («Новосибирск, UTC+7»; a zone
 * without a Russian name here by its offset alone, never its Latin id), at the instant `at` (the offset then).
 * `zone` and `at` are SQL expressions of the caller's statement; the names are fixed literals above.
 */
export function zoneLabelSql(zone: string, at: string): string {
  const city = `CASE ${zone} ${Object.entries(ZONE_CITY)
    .map(([code, name]) => `WHEN '${code}' THEN '${name}, '`)
    .join(' ')} ELSE '' END`;
  return `(${city} || 'UTC+' || extract(hour FROM (${at} AT TIME ZONE ${zone}) - (${at} AT TIME ZONE 'UTC'))::int)`;
}
