import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, call, getToken, isConnectionError, setToken, setUnauthorizedHandler } from './api/client';
import { type Me } from './api/types';
import { forgetTabDrafts } from './lib/tab-draft';

/**
 * The session: the token lives in memory and in sessionStorage (this tab only, gone when it closes) so a
 * reload keeps the user signed in. Nothing else is stored in the browser: no names, no appeals.
 */
const STORAGE_KEY = 'inbox.session';

interface Session {
  token: string;
  expiresAt: string;
}

interface AuthState {
  user: Me | null;
  loading: boolean;
  /** The session is kept but the server could not be reached to confirm it: retrying. */
  unreachable: boolean;
  retry(): void;
  signIn(login: string, password: string): Promise<void>;
  /** Signs in by a reset's one-time code, setting the password only the employee knows. */
  enrol(login: string, code: string, newPassword: string): Promise<void>;
  signOut(): void;
  /** Reads the signed-in user again (after changing a temporary password). */
  reloadUser(): void;
  /** Why the last session ended without the user signing out (e.g. its absolute lifetime ran out), for the sign-in screen. */
  endedBecause: string | null;
}

const AuthContext = createContext<AuthState | null>(null);

function readStored(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as Session) : null;
    return parsed && Date.parse(parsed.expiresAt) > Date.now() ? parsed : null;
  } catch {
    return null;
  }
}

function store(session: Session | null): void {
  setToken(session?.token ?? null);
  if (session)
    sessionStorage.setItem(
      STORAGE_KEY,
      JSON.stringify({ token: session.token, expiresAt: session.expiresAt }),
    );
  else sessionStorage.removeItem(STORAGE_KEY);
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => {
    const s = readStored();
    setToken(s?.token ?? null);
    return s;
  });
  const [user, setUser] = useState<Me | null>(null);
  const [loading, setLoading] = useState<boolean>(() => session !== null);
  const [unreachable, setUnreachable] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  /** Forgets the session in this tab (the server has already refused it, or is being told to end it). */
  const endSession = useCallback(() => {
    store(null);
    setSession(null);
    setUser(null);
  }, []);

  // Signing out ends the token on the server too: a copy of it (a log, a shared machine) no longer works. The
  // request carries the token before it is forgotten here; without an answer the tab is signed out all the same.
  const signOut = useCallback(() => {
    if (readStored()) void call('logout').catch(() => undefined);
    forgetTabDrafts();
    endSession();
  }, [endSession]);

  // Refused by the server (its lifetime over, ended elsewhere): to the sign-in screen, saying why — unless this
  // tab had already forgotten the session (signed out), when a late refusal of a request in flight says nothing.
  // The token held in memory says which: the stored copy is read as absent once its own time is over, which is
  // just when a session past its lifetime is refused.
  useEffect(
    () =>
      setUnauthorizedHandler((message) => {
        if (getToken()) setEndedBecause(message);
        endSession();
      }),
    [endSession],
  );

  const signedIn = session !== null;
  // Who is signed in: read once per sign-in, not on every token refresh.
  useEffect(() => {
    if (!signedIn || user) return;
    let cancelled = false;
    setLoading(true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    call('me')
      .then((me) => {
        if (cancelled) return;
        setUnreachable(false);
        setUser(me);
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        // Only the server saying "not signed in" ends the session; no answer at all is retried, not a sign-out.
        if (isConnectionError(error)) {
          setUnreachable(true);
          timer = setTimeout(() => setAttempt((n) => n + 1), 5_000);
        } else endSession();
      })
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [signedIn, user, endSession, attempt]);

  // Renew the short-lived token a minute before it expires, while the tab is open.
  // Without a connection the renewal is tried again every 10 s while the token lasts.
  const [renewal, setRenewal] = useState(0);
  useEffect(() => {
    if (!session) return;
    const wait = renewal > 0 ? 10_000 : Math.max(Date.parse(session.expiresAt) - Date.now() - 60_000, 5_000);
    const timer = setTimeout(() => {
      call('refresh')
        .then((r) => {
          const next = { token: r.accessToken, expiresAt: r.expiresAt };
          store(next);
          setRenewal(0);
          setSession(next);
        })
        .catch((error: unknown) => {
          if (isConnectionError(error)) setRenewal((n) => n + 1);
          else {
            // Refused (the session's absolute lifetime is over, or it was ended): to the sign-in screen, saying why.
            setEndedBecause(error instanceof ApiError ? error.message : null);
            endSession();
          }
        });
    }, wait);
    return () => clearTimeout(timer);
  }, [session, renewal, endSession]);

  /** A session the server just issued (a sign-in, an enrolment by code) becomes this tab's. */
  const adopt = useCallback(async (result: { accessToken: string; expiresAt: string }) => {
    setEndedBecause(null);
    const next = { token: result.accessToken, expiresAt: result.expiresAt };
    store(next);
    setLoading(true);
    try {
      setUser(await call('me'));
    } finally {
      setLoading(false);
    }
    setSession(next);
  }, []);

  const signIn = useCallback(
    async (login: string, password: string) => adopt(await call('login', { body: { login, password } })),
    [adopt],
  );
  const enrol = useCallback(
    async (login: string, code: string, newPassword: string) =>
      adopt(await call('enrol', { body: { login, code, newPassword } })),
    [adopt],
  );

  // Without a user the effect above reads `me` again.
  const reloadUser = useCallback(() => {
    setLoading(true);
    setUser(null);
  }, []);

  const value = useMemo(
    () => ({ user, loading, unreachable, retry, signIn, enrol, signOut, reloadUser, endedBecause }),
    [user, loading, unreachable, retry, signIn, enrol, signOut, reloadUser, endedBecause],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}

/** The signed-in user; only for components rendered behind the sign-in gate. */
export function useMe(): Me {
  const { user } = useAuth();
  if (!user) throw new Error('not signed in');
  return user;
}

export function sessionToken(): string | null {
  return readStored()?.token ?? null;
}
