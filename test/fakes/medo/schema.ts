import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import iconv from 'iconv-lite';
import { validateXML } from 'xmllint-wasm';

/** Our own schema of the passports we write (written by this project; see the comment at its top). */
export const OUR_PASSPORT_XSD = resolve(__dirname, 'outbound-passport.xsd');

/**
 * XML as UTF-8 text. The WebAssembly libxml2 knows no windows-1251, which МЭДО passports and the official schema
 * use: such a document is decoded here and its declaration says UTF-8, so the schema sees the same characters.
 */
export function asUtf8Xml(xml: string | Buffer): string {
  if (typeof xml === 'string') return xml.replace(/^(<\?xml[^>]*encoding=")windows-1251"/i, '$1UTF-8"');
  const head = xml.subarray(0, 200).toString('latin1');
  if (/^<\?xml[^>]*encoding="windows-1251"/i.test(head)) return asUtf8Xml(iconv.decode(xml, 'win1251'));
  return xml.toString('utf8');
}

/**
 * Validates a passport against an XSD with libxml2 (the xmllint-wasm package: no system install). Our own schema
 * by default; the conformance suite passes the official one.
 */
export async function validateAgainstXsd(
  xml: string | Buffer,
  schemaFile: string = OUR_PASSPORT_XSD,
): Promise<{ valid: boolean; output: string }> {
  const result = await validateXML({
    xml: { fileName: 'passport.xml', contents: asUtf8Xml(xml) },
    schema: { fileName: 'schema.xsd', contents: asUtf8Xml(readFileSync(schemaFile)) },
  });
  return { valid: result.valid, output: result.rawOutput.trim() };
}
