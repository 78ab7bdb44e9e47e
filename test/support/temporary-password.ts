import { randomBytes } from 'node:crypto';

export interface OwnSession {
  userId: string;
  login: string;
  /** The password only the staff member knows now. */
  password: string;
  headers: Record<string, string>;
}

/**
 * Signs in with a temporary password an administrator set (a new account or a reset) and replaces it over
 * HTTP, as the workspace's change-password screen does; the session then works like any other.
 */
export async function replaceTemporaryPassword(
  baseUrl: string,
  login: string,
  temporaryPassword: string,
): Promise<OwnSession> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: temporaryPassword }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  const session = (await res.json()) as { accessToken: string; user: { id: string } };
  const headers = { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' };
  const password = `own-${randomBytes(8).toString('hex')}`;
  const change = await fetch(`${baseUrl}/api/v1/auth/password`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ currentPassword: temporaryPassword, newPassword: password }),
  });
  if (change.status !== 204) throw new Error(`password change failed: ${change.status}`);
  return { userId: session.user.id, login, password, headers };
}
