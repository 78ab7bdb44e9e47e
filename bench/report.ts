/** One line of a bench's closing table: what was measured beside the target. */
export interface TargetRow {
  figure: string;
  measured: string;
  target: string;
  /** Undefined: a reference figure, no target of its own. */
  met?: boolean;
}

export function printTable(title: string, rows: TargetRow[]): void {
  const verdict = (r: TargetRow) => (r.met === undefined ? '' : r.met ? 'met' : 'NOT met');
  printGrid(
    title,
    ['figure', 'measured', 'target', ''],
    rows.map((r) => [r.figure, r.measured, r.target, verdict(r)]),
  );
}

/** A Markdown table under a title, columns padded to their widest cell (pastes into the README as it is). */
export function printGrid(title: string, header: string[], cells: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

/** The value after `--name` (or in `--name=value`), if given. */
export function flag(args: string[], name: string): string | undefined {
  const eq = args.find((a) => a.startsWith(`${name}=`));
  if (eq) return eq.slice(name.length + 1);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
