import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { Role, StaffUsers } from '@inbox/access';
import { DomainError } from '@inbox/common';
import {
  type Actor,
  AppealQueries,
  AppealRegistrar,
  AppealWorkflow,
  type ApplicantChanges,
} from '@inbox/appeals';
import {
  type DemoApplicant,
  demoIntake,
  demoStaffName,
  seedDemoAnswerTemplates,
  seedDemoFastTrackRules,
  seedDemoKnowledge,
  seedDemoRoutingRules,
  seedDirectory,
} from '@inbox/demo';
import { InboundStore } from '@inbox/intake';
// The seed runs in the CLI's context: the appeals and intake over the database and queues.
import { CliModule } from '../../cli/src/cli.module';
import { subjectOf } from './seed-demo-subject';

export const DEMO_APPEAL_COUNT = 400;
export const DEMO_PASSWORD = 'demo';

/** Demo staff: one per role, plus a clerk in every department so the demo answers come from the right place. */
export const DEMO_USERS = [
  { login: 'operator', fullName: 'Оператор ЦУР Иванова Е. А.', role: Role.Operator, org: 'cur' },
  { login: 'clerk', fullName: 'Специалист Минжкх Петров С. В.', role: Role.Clerk, org: 'minjkh' },
  { login: 'head', fullName: 'Начальник отдела Минжкх Кузнецова Т. И.', role: Role.Head, org: 'minjkh' },
  { login: 'supervisor', fullName: 'Руководитель ЦУР Смирнова О. Н.', role: Role.Supervisor, org: 'gov' },
  { login: 'admin', fullName: 'Администратор системы', role: Role.Admin, org: 'gov' },
] as const;

/**
 * Migrates, writes the demo directory, rules and staff, and on an empty database registers the demo
 * appeals through the real intake path, then walks some of them through the real workflow (classified,
 * escalated, answered, rated) so that every screen has something true to show. Receipts and the knowledge base's
 * dates run back from `now`; the workflow's steps are taken at the present.
 */
export async function prepareDemoDatabase(
  log: (line: string) => void,
  now = new Date(),
): Promise<{ appeals: number }> {
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
  try {
    const ds = app.get(DataSource);
    await seedDirectory(ds);
    await seedDemoRoutingRules(ds);
    await seedDemoFastTrackRules(ds);
    await seedDemoAnswerTemplates(ds);
    const users = app.get(StaffUsers);
    const orgId = async (code: string) =>
      ((await ds.query(`SELECT id FROM organisations WHERE code = $1`, [code])) as { id: string }[])[0]?.id;
    for (const u of DEMO_USERS) {
      await users.ensure({
        login: u.login,
        password: DEMO_PASSWORD,
        fullName: u.fullName,
        role: u.role,
        organisationId: (await orgId(u.org))!,
      });
    }
    // The knowledge base (once): the demo clerk is Минжкх's responsible person, a change from the operator waits.
    const login = async (name: string) =>
      ((await ds.query(`SELECT id FROM users WHERE login = $1`, [name])) as { id: string }[])[0]?.id;
    const kb = await seedDemoKnowledge(ds, {
      now,
      responsible: { minjkh: (await login('clerk'))! },
      requestedBy: (await login('operator')) ?? null,
    });
    if (kb.articles > 0) log(`knowledge base: ${kb.articles} articles in ${kb.sections} sections`);
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM appeals`)) as { n: number }[];
    if (n > 0) return { appeals: n };

    log(`registering ${DEMO_APPEAL_COUNT} demo appeals…`);
    const store = app.get(InboundStore);
    const registrar = app.get(AppealRegistrar);
    const intake = demoIntake(DEMO_APPEAL_COUNT, now);
    const items = intake.map((d) => d.item);
    const stored = await store.store(items, { enqueue: false });
    const appealIds: string[] = [];
    for (const s of stored) {
      const outcome = await registrar.registerInboundItem(s.inboundItemId);
      appealIds.push(outcome.kind === 'registered' || outcome.kind === 'follow-up' ? outcome.appealId : '');
    }
    await walkThroughWorkflow(
      { workflow: app.get(AppealWorkflow), queries: app.get(AppealQueries) },
      ds,
      users,
      intake,
      appealIds,
      log,
    );
    return { appeals: stored.length };
  } finally {
    await app.close();
  }
}

/** What an operator fills in on a card that a line-2 request needs and the item lacks (nothing if complete). */
async function completeCard(
  services: { workflow: AppealWorkflow; queries: AppealQueries },
  appealId: string,
  operator: Actor,
  applicant: DemoApplicant,
): Promise<boolean> {
  const card = await services.queries.card(appealId, operator.scope);
  const missing = Object.keys(card?.escalationRequires ?? {});
  const changes: ApplicantChanges = {};
  // Asked on the call back: the name in full (a messenger's or an e-mail's author has only a display name).
  if (missing.some((field) => field === 'applicant.firstName' || field === 'applicant.patronymic')) {
    if (!card?.applicant.surname) changes.surname = applicant.surname;
    if (!card?.applicant.firstName) changes.firstName = applicant.firstName;
    changes.patronymic = applicant.patronymic;
  }
  if (missing.includes('applicant.phone')) changes.phone = applicant.phone;
  if (Object.keys(changes).length === 0) return false;
  await services.workflow.updateCard(appealId, operator, { applicant: changes });
  return true;
}

async function walkThroughWorkflow(
  services: { workflow: AppealWorkflow; queries: AppealQueries },
  ds: DataSource,
  users: StaffUsers,
  intake: ReturnType<typeof demoIntake>,
  appealIds: string[],
  log: (line: string) => void,
): Promise<void> {
  const actorFor = async (login: string, orgCode: string, role: Role): Promise<Actor> => {
    const [row] = (await ds.query(`SELECT u.id, u.organisation_id FROM users u WHERE u.login = $1`, [
      login,
    ])) as { id: string; organisation_id: string }[];
    if (row) {
      const user = (await users.byId(row.id))!;
      return {
        userId: user.id,
        role: user.role,
        organisationId: user.organisationId,
        scope: await users.scopeOf(user),
      };
    }
    const [org] = (await ds.query(`SELECT id, short_name FROM organisations WHERE code = $1`, [orgCode])) as {
      id: string;
      short_name: string;
    }[];
    const user = await users.create({
      login,
      password: DEMO_PASSWORD,
      // Staff read the name on cards and in the history: a person, and the organisation by its name, not its code.
      fullName: demoStaffName(login, org.short_name),
      role,
      organisationId: org.id,
    });
    return {
      userId: user.id,
      role: user.role,
      organisationId: user.organisationId,
      scope: await users.scopeOf(user),
    };
  };
  const operator = await actorFor('operator', 'cur', Role.Operator);
  const supervisor = await actorFor('supervisor', 'gov', Role.Supervisor);
  const topics = new Map(
    (
      (await ds.query(`SELECT id, code, parent_id, default_organisation_id FROM topics`)) as {
        id: string;
        code: string;
        parent_id: string | null;
        default_organisation_id: string | null;
      }[]
    ).map((t) => [t.code, t]),
  );
  const organisations = (await ds.query(`SELECT id, code, kind FROM organisations`)) as {
    id: string;
    code: string;
    kind: string;
  }[];
  const orgCodes = new Map(organisations.map((o) => [o.id, o.code]));
  const centres = new Set(organisations.filter((o) => o.kind === 'management-centre').map((o) => o.id));
  const { workflow } = services;
  const items = intake.map((d) => d.item);
  let completed = 0;
  let escalated = 0;
  let answered = 0;
  let drafted = 0;
  /** Why the rules left demo items where they were, and how many. */
  const refused = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const appealId = appealIds[i];
    const features = items[i].features ?? {};
    const sub = topics.get(features.demoSubtopic ?? '');
    const top = topics.get(features.demoTopic ?? '');
    if (!appealId || !top) continue;
    try {
      // Three in four are classified; the rest wait in the manual classification queue.
      if (i % 4 === 3) continue;
      await workflow.classify(appealId, operator, top.id, sub?.parent_id === top.id ? sub.id : undefined);
      const target = sub?.default_organisation_id ?? top.default_organisation_id;
      // «Прочее» is routed to the ЦУР itself: line 1 keeps it, there is no line 2 to pass it to.
      if (i % 10 >= 6 || !target || centres.has(target)) continue;
      // The operator completes the card a line-2 request needs (59-ФЗ: the full name and a phone), as they
      // would by calling the citizen back, through the card's own command (history «Карточка дополнена»).
      if (await completeCard(services, appealId, operator, intake[i].applicant)) completed++;
      // Escalated now, as the history records it: the line-2 term runs from the escalation. It used to be
      // counted from the receipt a month back, so the card showed a line-2 term long past before the escalation.
      await workflow.escalate(appealId, operator, {
        organisationIds: [target],
        subject: items[i].subject ?? subjectOf(items[i].text),
      });
      escalated++;
      if (i % 10 > 2) continue;
      const clerk = await actorFor(`clerk-${orgCodes.get(target)}`, orgCodes.get(target)!, Role.Clerk);
      if (i % 10 === 2) {
        // A clerk's draft left for the head's approval: the head's day starts in «На согласовании», which the
        // demo left empty.
        await workflow.draftAnswer(appealId, clerk, {
          text: 'Ваше обращение рассмотрено. Работы включены в план текущего ремонта и будут выполнены до конца месяца.',
        });
        drafted++;
        continue;
      }
      const answerId = await workflow.draftAnswer(appealId, clerk, {
        text: 'Ваше обращение рассмотрено. Поручение направлено ответственной организации, работы будут выполнены в установленный срок.',
      });
      await workflow.approveAnswer(appealId, answerId, supervisor);
      await workflow.sendAnswer(appealId, answerId, clerk);
      answered++;
      if (i % 20 === 0) {
        await workflow.rate(
          appealId,
          { channel: 'demo', externalId: `demo-rating-${i}`, answered: false, satisfaction: 'not-satisfied' },
          supervisor,
        );
      } else {
        await workflow.rate(
          appealId,
          { channel: 'demo', externalId: `demo-rating-${i}`, answered: true, satisfaction: 'satisfied' },
          supervisor,
        );
      }
    } catch (error) {
      // A demo item that the rules refuse (e.g. no patronymic for an escalation) stays where it is; anything
      // else is a fault of the seed or the product, and the start says so.
      if (!(error instanceof DomainError)) throw error;
      refused.set(error.message, (refused.get(error.message) ?? 0) + 1);
    }
  }
  const left = [...refused].map(([why, n]) => `${n}: ${why}`).join('; ');
  log(
    `demo workflow: ${completed} cards completed by the operator, ${escalated} escalated to line 2, ${answered} answered, ` +
      `${drafted} answers awaiting approval` +
      (left ? `; left as they were — ${left}` : ''),
  );
}
