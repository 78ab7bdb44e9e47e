/** What a file of unknown kind is sent and stored as. */
export const OCTET_STREAM = 'application/octet-stream';

/**
 * The content types of the files citizens and other bodies send, by extension: one table for every connector that
 * only has a file's name (a Telegram download path, a VK document, a site's feed, a МЭДО package).
 *
 * Written out rather than taken from `mime-db`: the list is short and reviewed, and two entries must differ from
 * mime-db — МЭДО's detached signatures `.sig` / `.sgn` are CMS (PKCS#7, ГОСТ), which mime-db calls PGP or omits.
 */
const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  txt: 'text/plain',
  rtf: 'application/rtf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
  xml: 'application/xml',
  zip: 'application/zip',
  p7s: 'application/pkcs7-signature',
  sig: 'application/pkcs7-signature',
  sgn: 'application/pkcs7-signature',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
};

/** The content type a file's name says (its extension, any case), or `application/octet-stream`. */
export function contentTypeOf(fileName: string): string {
  const ext = /\.([^./\\]+)$/.exec(fileName.trim())?.[1]?.toLowerCase() ?? '';
  return Object.hasOwn(CONTENT_TYPES, ext) ? CONTENT_TYPES[ext] : OCTET_STREAM;
}

/** The usual extension (with the dot) of a content type the table knows, else ''. */
export function extensionFor(contentType: string | undefined): string {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (!type) return '';
  const ext = Object.keys(CONTENT_TYPES).find((key) => CONTENT_TYPES[key] === type);
  return ext ? `.${ext}` : '';
}
