import 'reflect-metadata';
import { Role } from '@inbox/access';
import { ApiModule } from './api.module';

type Handler = (...args: unknown[]) => unknown;

/**
 * A department head has a clerk's scope and more (approves answers, grants the extension): wherever a clerk
 * is let in by @Roles, a head must be too, or the head loses screens a clerk of the same department has.
 */
describe('the head role wherever a clerk is allowed', () => {
  const controllers = Reflect.getMetadata('controllers', ApiModule) as (new (...a: unknown[]) => object)[];
  const roles = (target: object): Role[] | undefined =>
    Reflect.getMetadata('staff-roles', target) as Role[] | undefined;

  it('finds the controllers and their role lists', () => {
    expect(controllers.length).toBeGreaterThan(10);
    const withRoles = controllers.flatMap((c) =>
      Object.getOwnPropertyNames(c.prototype).filter((m) =>
        roles((c.prototype as Record<string, Handler>)[m] as object),
      ),
    );
    expect(withRoles.length).toBeGreaterThan(10);
  });

  it('lists Role.Head beside every Role.Clerk', () => {
    const missing: string[] = [];
    for (const c of controllers) {
      const own = roles(c);
      if (own?.includes(Role.Clerk) && !own.includes(Role.Head)) missing.push(c.name);
      for (const method of Object.getOwnPropertyNames(c.prototype)) {
        const handler = (c.prototype as Record<string, Handler>)[method];
        if (method === 'constructor' || typeof handler !== 'function') continue;
        const list = roles(handler as object);
        if (list?.includes(Role.Clerk) && !list.includes(Role.Head)) missing.push(`${c.name}.${method}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
