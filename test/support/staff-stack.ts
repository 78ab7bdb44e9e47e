import { type Role } from '@inbox/access';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { startTestStack, type TestStack } from './test-stack';

/** A staff member to sign in: the role, the organisation's code and, where it matters, how they see. */
export type StaffSpec = [Role, string] | [Role, string, Parameters<typeof signInAs>[4]];

export interface StaffStack<S extends string> {
  /** The running stack (set in beforeAll). */
  readonly stack: TestStack;
  /** Ids by the names given: organisations and topics from the demo directory. */
  ids: Record<string, string>;
  /** The signed-in staff by the names given. */
  staff: Record<S, SignedIn>;
  /** A JSON request to the api as `who`. */
  call(method: string, path: string, who: SignedIn, body?: unknown): Promise<Response>;
}

/**
 * The staff API's usual test setup in one place: the stack started before the file's tests and closed after
 * them, the ids of the directory entries it names (name → code) and its staff signed in (name → role and
 * organisation). `ids` and `staff` are filled in place, so they may be destructured at once.
 */
export function staffStack<S extends string>(options: {
  env?: Record<string, string>;
  worker?: boolean;
  /** The template database the stack's is a copy of, when not the usual one (demo-database.ts). */
  database?: () => Promise<string>;
  /** What the file does to the stack before anyone signs in (clocks, spies). */
  onStart?: (stack: TestStack) => void | Promise<void>;
  organisations?: Record<string, string>;
  topics?: Record<string, string>;
  staff: Record<S, StaffSpec>;
}): StaffStack<S> {
  let stack: TestStack | undefined;
  const ids: Record<string, string> = {};
  const staff = {} as Record<S, SignedIn>;
  beforeAll(async () => {
    stack = await startTestStack({ env: options.env, worker: options.worker, database: options.database });
    await options.onStart?.(stack);
    const ds = stack.db.dataSource;
    for (const [table, names] of [
      ['organisations', options.organisations ?? {}],
      ['topics', options.topics ?? {}],
    ] as const) {
      for (const [name, code] of Object.entries(names)) ids[name] = await idOf(ds, table, code);
    }
    for (const [name, [role, organisation, signIn]] of Object.entries(options.staff) as [S, StaffSpec][]) {
      staff[name] = await signInAs(stack.api, stack.baseUrl, role, organisation, signIn);
    }
    // A template made here first (the demo seed) takes minutes on a busy machine.
  }, 300_000);
  afterAll(async () => {
    await stack?.close();
  });
  return {
    get stack() {
      if (!stack) throw new Error('the stack starts in beforeAll');
      return stack;
    },
    ids,
    staff,
    call: (method, path, who, body) =>
      fetch(`${stack!.baseUrl}${path}`, {
        method,
        headers: who.headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}
