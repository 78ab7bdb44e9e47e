/** A file size or limit as a clerk or a citizen reads it: «1 КБ», «900 КБ», «10 МБ», «1,5 МБ». */
export function sizeText(bytes: number): string {
  if (bytes < 1048576) return `${Math.max(1, Math.round(bytes / 1024))} КБ`;
  return `${String(Math.round((bytes / 1048576) * 10) / 10).replace('.', ',')} МБ`;
}
