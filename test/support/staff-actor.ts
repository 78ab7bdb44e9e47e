import { randomBytes } from 'node:crypto';
import { type Role, type StaffUsers } from '@inbox/access';
import { type Actor } from '@inbox/appeals';

/** A new staff account of the role at the organisation, as the workflow sees it once signed in (its scope). */
export async function staffActor(
  users: StaffUsers,
  role: Role,
  organisationId: string,
  fullName = `Сотрудник ${role}`,
): Promise<Actor> {
  const user = await users.create({
    login: `${role}-${randomBytes(4).toString('hex')}`,
    password: `pw-${randomBytes(6).toString('hex')}`,
    fullName,
    role,
    organisationId,
  });
  const stored = (await users.byId(user.id))!;
  return {
    userId: stored.id,
    role: stored.role,
    organisationId: stored.organisationId,
    scope: await users.scopeOf(stored),
  };
}
