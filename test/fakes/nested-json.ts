/**
 * A value nested `depth` objects deep (`{"a":{"a":…{}}}`) in a fake's JSON body. A remote's serialiser writes one
 * as easily as any other (and JSON.parse reads it back), but JSON.stringify, the fakes' own serialisation, runs out
 * of stack on it: a fake puts this marker where the value goes and passes its body through spliceNested.
 */
export function nestedMarker(depth: number): string {
  return `@@nested:${depth}@@`;
}

/** The body's JSON text with each quoted nestedMarker replaced by the value it stands for. */
export function spliceNested(json: string): string {
  return json.replace(
    /"@@nested:(\d+)@@"/g,
    (_, depth: string) => `${'{"a":'.repeat(Number(depth))}{}${'}'.repeat(Number(depth))}`,
  );
}
