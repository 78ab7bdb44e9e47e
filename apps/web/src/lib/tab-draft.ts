import { useCallback, useState } from 'react';

const PREFIX = 'inbox.draft.';

function read(key: string): string {
  try {
    return sessionStorage.getItem(PREFIX + key) ?? '';
  } catch {
    return '';
  }
}

function write(key: string, value: string): void {
  try {
    if (value) sessionStorage.setItem(PREFIX + key, value);
    else sessionStorage.removeItem(PREFIX + key);
  } catch {
    // Storage full or refused (a private window): the text stays in the page as before.
  }
}

/**
 * Text typed and not yet saved, kept for this tab (sessionStorage: gone when the tab closes) under `key`: a clerk
 * who left the card for the list mid-sentence found the answer field empty on coming back. The key names the
 * signed-in person, so nobody else signing in on the tab reads it; signing out forgets it (forgetTabDrafts).
 */
export function useTabDraft(key: string): [string, (value: string | ((old: string) => string)) => void] {
  const [state, setState] = useState(() => ({ key, value: read(key) }));
  // Another appeal's card in the same component: its own text.
  const current = state.key === key ? state.value : read(key);
  if (state.key !== key) setState({ key, value: current });
  const set = useCallback(
    (value: string | ((old: string) => string)) =>
      setState((s) => {
        const next = typeof value === 'function' ? value(s.key === key ? s.value : read(key)) : value;
        write(key, next);
        return { key, value: next };
      }),
    [key],
  );
  return [current, set];
}

/** Forgets every unsaved text of this tab: on signing out. */
export function forgetTabDrafts(): void {
  try {
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const k = sessionStorage.key(i);
      if (k?.startsWith(PREFIX)) sessionStorage.removeItem(k);
    }
  } catch {
    // Nothing stored to forget.
  }
}
