import { type Response } from 'express';
import { servedAs } from '@inbox/common';

/** A stored file as a download, never cached, sandboxed. */
export async function sendFile(res: Response, file: { fileName: string; content: Buffer }): Promise<void> {
  // The type its bytes sniff as, whatever the sender named or claimed: an executable named doc.pdf or a page
  // named page.pdf is never served as a PDF; only pictures and real PDFs are shown inline.
  const { contentType, inline } = await servedAs(file.content);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Disposition', disposition(inline ? 'inline' : 'attachment', file.fileName));
  res.setHeader('Content-Length', String(file.content.length));
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
  res.end(file.content);
}

/**
 * RFC 6266: an ASCII stand-in for clients that read only `filename`, and the name itself in `filename*` (RFC 8187),
 * every character outside its attr-char encoded: encodeURIComponent leaves ' ( ) * ! as they are, and a name with
 * an apostrophe («it's (1).pdf») ended its value early in strict readers.
 */
function disposition(type: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
