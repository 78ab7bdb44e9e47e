import { randomBytes } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Role, StaffUsers } from '@inbox/access';

export interface SignedIn {
  userId: string;
  login: string;
  headers: Record<string, string>;
}

/** Creates a staff member of an organisation (by code) and signs them in over HTTP, as the UI does. */
export async function signInAs(
  app: INestApplication,
  baseUrl: string,
  role: Role,
  organisationCode: string,
  options: { seesSubordinates?: boolean; fullName?: string } = {},
): Promise<SignedIn> {
  const users = app.get(StaffUsers);
  const [{ id: organisationId }] = (await app
    .get(DataSource)
    .query(`SELECT id FROM organisations WHERE code = $1`, [organisationCode])) as { id: string }[];
  const login = `${role}-${organisationCode}-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const user = await users.create({
    login,
    password,
    fullName: options.fullName ?? `Тестовый сотрудник ${login}`,
    role,
    organisationId,
    seesSubordinates: options.seesSubordinates,
  });
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return {
    userId: user.id,
    login,
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
  };
}

/** Attaches a file to a draft answer over HTTP, as the card's upload does (multipart); the response's status. */
export async function attachToAnswer(
  baseUrl: string,
  who: SignedIn,
  appealId: string,
  answerId: string,
  file: { name: string; content: Buffer; type: string },
): Promise<number> {
  const upload = new FormData();
  upload.append('file', new Blob([file.content], { type: file.type }), file.name);
  const headers: Record<string, string> = { ...who.headers };
  // The multipart boundary goes in the content type fetch writes.
  delete headers['content-type'];
  const res = await fetch(`${baseUrl}/api/v1/appeals/${appealId}/answers/${answerId}/attachments`, {
    method: 'POST',
    headers,
    body: upload,
  });
  return res.status;
}
