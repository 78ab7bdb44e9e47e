/** Staff roles (R10: each role sees only what it needs). Stored as text: never rename a value. */
export enum Role {
  /** Line 1: operator of the regional management centre / single contact centre. */
  Operator = 'operator',
  /** Line 2: clerk of an organisation. */
  Clerk = 'clerk',
  /** Line 2: head of a department: approves the clerks' answers and grants the 59-ФЗ extension. */
  Head = 'head',
  Supervisor = 'supervisor',
  Admin = 'admin',
}

export const ROLE_NAME_RU: Record<Role, string> = {
  [Role.Operator]: 'Оператор 1-й линии (ЦУР/ЕКЦ)',
  [Role.Clerk]: 'Специалист органа власти (2-я линия)',
  [Role.Head]: 'Руководитель подразделения (утверждает ответы и продление срока)',
  [Role.Supervisor]: 'Руководитель',
  [Role.Admin]: 'Администратор',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (Object.values(Role) as string[]).includes(value);
}
