import { fromBER, type OctetString } from 'asn1js';
import { ContentInfo, SignedData } from 'pkijs';

/** CMS content types (RFC 5652, RFC 5083) an S/MIME `application/pkcs7-mime` part carries. */
const ENVELOPED_DATA = '1.2.840.113549.1.7.3';
const AUTH_ENVELOPED_DATA = '1.2.840.113549.1.9.16.1.23';

/** What an S/MIME `application/pkcs7-mime` part (smime.p7m) holds, as far as it can be read without keys. */
export type SmimeContent =
  /** Opaque signed data: the signed content itself (a MIME entity, for a signed letter). */
  | { kind: 'signed'; content: Buffer }
  /** Encrypted to the recipient's certificate: unreadable without its private key. */
  | { kind: 'encrypted' }
  /** Not CMS at all, or a kind we do not read (compressed, a detached signature without content). */
  | { kind: 'unreadable' };

/**
 * Reads a CMS ContentInfo (DER, or BER with indefinite lengths and the content in pieces, as streaming signers
 * write it). The signature is not verified: the letter is read as the citizen sent it, and the signed file stays
 * with the appeal for a signature tool (GOST certificates included, which only their own tools check).
 */
export function openSmime(der: Buffer): SmimeContent {
  try {
    const asn = fromBER(new Uint8Array(der));
    if (asn.offset === -1) return { kind: 'unreadable' };
    const info = new ContentInfo({ schema: asn.result });
    if (info.contentType === ENVELOPED_DATA || info.contentType === AUTH_ENVELOPED_DATA)
      return { kind: 'encrypted' };
    if (info.contentType !== ContentInfo.SIGNED_DATA) return { kind: 'unreadable' };
    const signed = new SignedData({ schema: info.content });
    const content = signed.encapContentInfo.eContent as OctetString | undefined;
    if (!content) return { kind: 'unreadable' };
    // A constructed OCTET STRING (BER pieces) reads as its pieces joined.
    return { kind: 'signed', content: Buffer.from(content.getValue()) };
  } catch {
    return { kind: 'unreadable' };
  }
}
