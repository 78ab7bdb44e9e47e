import { type StaffContext } from '@inbox/access';
import { type Actor } from '@inbox/appeals';

/** The signed-in staff member as the actor of a workflow command. */
export function actorOf(staff: StaffContext): Actor {
  return {
    userId: staff.user.id,
    role: staff.user.role,
    organisationId: staff.user.organisationId,
    scope: staff.scope,
  };
}
