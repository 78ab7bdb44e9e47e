import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { type AppealRegistrar } from '@inbox/appeals';
import { type InboundStore } from '@inbox/intake';
import { parseImportLine } from './import-line';

export interface ImportSummary {
  lines: number;
  registered: number;
  duplicates: number;
  rejected: number;
}

/** A progress bar on a terminal (stderr), silent when piped, so stdout stays one JSON line per item. */
class Progress {
  private last = 0;
  constructor(
    private readonly totalBytes: number,
    private readonly enabled: boolean,
  ) {}
  update(bytes: number, done: number, force = false): void {
    if (!this.enabled || (!force && Date.now() - this.last < 100)) return;
    this.last = Date.now();
    const share = this.totalBytes > 0 ? Math.min(1, bytes / this.totalBytes) : 1;
    const width = 30;
    const bar = '█'.repeat(Math.round(share * width)).padEnd(width, '░');
    process.stderr.write(`\r${bar} ${(share * 100).toFixed(0).padStart(3)}%  ${done} строк`);
  }
  finish(): void {
    if (this.enabled) process.stderr.write('\n');
  }
}

/**
 * `npm run cli -- import <file.jsonl>`: registers each line as an appeal at its original instant.
 * Idempotent by channel + external id; bad lines are reported with their number and skipped.
 */
export async function runImport(
  file: string,
  deps: { store: InboundStore; registrar: AppealRegistrar },
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  err: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Promise<ImportSummary> {
  const size = (await stat(file)).size;
  const progress = new Progress(size, process.stderr.isTTY === true);
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  const summary: ImportSummary = { lines: 0, registered: 0, duplicates: 0, rejected: 0 };
  let bytes = 0;
  for await (const raw of lines) {
    summary.lines++;
    bytes += Buffer.byteLength(raw) + 1;
    const lineNo = summary.lines;
    if (raw.trim() === '') continue;
    const parsed = parseImportLine(raw.replace(/^\uFEFF/, ''));
    if (!parsed.ok) {
      summary.rejected++;
      err(`line ${lineNo}: skipped: ${parsed.reason}`);
      continue;
    }
    try {
      const [stored] = await deps.store.store([parsed.item], { enqueue: false });
      const outcome = await deps.registrar.registerInboundItem(stored.inboundItemId);
      if (outcome.kind === 'registered') {
        summary.registered++;
        out(
          JSON.stringify({
            line: lineNo,
            externalId: parsed.item.externalId,
            status: 'registered',
            registrationNumber: outcome.registrationNumber,
            registeredAt: outcome.registeredAt.toISOString(),
            answerDueDate: outcome.deadlines.answerDueDate,
            answerDueAt: outcome.deadlines.answerDueAt.toISOString(),
            registrationDueAt: outcome.deadlines.registrationDueAt.toISOString(),
            redirectDueAt: outcome.deadlines.redirectDueAt.toISOString(),
            warnings: outcome.deadlines.warnings.map((w) => w.code),
          }),
        );
      } else if (outcome.kind === 'quarantined') {
        summary.rejected++;
        err(`line ${lineNo}: skipped: ${outcome.reason}`);
      } else {
        summary.duplicates++;
        out(
          JSON.stringify({
            line: lineNo,
            externalId: parsed.item.externalId,
            status: 'duplicate',
            registrationNumber: outcome.registrationNumber,
          }),
        );
      }
    } catch (error) {
      summary.rejected++;
      err(`line ${lineNo}: failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    progress.update(bytes, lineNo);
  }
  progress.update(size, summary.lines, true);
  progress.finish();
  return summary;
}
