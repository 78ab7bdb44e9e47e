/** Filters kept in the address: a value sets its key, null, undefined or '' removes it. */
export type ParamChanges = Record<string, string | null | undefined>;

/** `params` with `changes` applied, as a new object. */
export function withChanges(params: URLSearchParams, changes: ParamChanges): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') next.delete(k);
    else next.set(k, v);
  }
  return next;
}

/** Props binding a select to one filter in the address: its value, and `update` with the choice. */
export function paramSelect(params: URLSearchParams, update: (changes: ParamChanges) => void, key: string) {
  return { value: params.get(key), onChange: (v: string | null) => update({ [key]: v }) };
}
