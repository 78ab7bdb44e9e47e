import { type Response } from 'express';
import { servedAs } from '@inbox/common';

/** A stored file as a download, never cached, sandboxed. */
export async function sendFile(res: Response, file: { fileName: string; content: Buffer }): Promise<void> {
  // The type its bytes sniff as, whatever the sender named or claimed: an executable named doc.pdf or a page
  // named page.pdf is never served as a PDF; only pictures and real PDFs are shown inline.
  const { contentType, inline } = await servedAs(file.content);
  res.setHeader('Content-Type', contentType);
  res.setHeader(
    'Content-Disposition',
    `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
  );
  res.setHeader('Content-Length', String(file.content.length));
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
  res.end(file.content);
}
