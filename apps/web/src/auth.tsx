import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { call, setToken, setUnauthorizedHandler } from './api/client';
import { type Me } from './api/types';

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
  signIn(login: string, password: string): Promise<void>;
  signOut(): void;
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

  const signOut = useCallback(() => {
    store(null);
    setSession(null);
    setUser(null);
  }, []);

  useEffect(() => setUnauthorizedHandler(signOut), [signOut]);

  const signedIn = session !== null;
  // Who is signed in: read once per sign-in, not on every token refresh.
  useEffect(() => {
    if (!signedIn || user) return;
    let cancelled = false;
    setLoading(true);
    call('me')
      .then((me) => !cancelled && setUser(me))
      .catch(() => !cancelled && signOut())
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [signedIn, user, signOut]);

  // Renew the short-lived token a minute before it expires, while the tab is open.
  useEffect(() => {
    if (!session) return;
    const wait = Math.max(Date.parse(session.expiresAt) - Date.now() - 60_000, 5_000);
    const timer = setTimeout(() => {
      call('refresh')
        .then((r) => {
          const next = { token: r.accessToken, expiresAt: r.expiresAt };
          store(next);
          setSession(next);
        })
        .catch(() => undefined);
    }, wait);
    return () => clearTimeout(timer);
  }, [session]);

  const signIn = useCallback(async (login: string, password: string) => {
    const result = await call('login', { body: { login, password } });
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

  const value = useMemo(() => ({ user, loading, signIn, signOut }), [user, loading, signIn, signOut]);
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
