/**
 * The line a clerk reads for an attachment of a type the connector does not know: the service's own type name when
 * it looks like one (letters and underscores, lower-cased), so a clerk knows something came and what.
 */
export function unreadAttachmentLine(type: string): string {
  return `Вложение не распознано (${/^[a-z_]{1,40}$/i.test(type) ? type.toLowerCase() : 'неизвестный тип'})`;
}

/**
 * The line a clerk reads for a file the citizen sent that the connector did not download (too large, out of a
 * letter read in part), and why: the clerk knows the file exists and where it was left.
 */
export function notReceivedAttachmentLine(fileName: string, reason: string): string {
  return `Вложение не получено: «${fileName}» (${reason})`;
}
