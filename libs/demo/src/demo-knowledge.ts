import { type DataSource } from 'typeorm';
import { type WorkingHours } from '@inbox/deadlines';
import {
  type ArticleContent,
  ArticleKind,
  requestStepDueAt,
  KnowledgeRepository,
  normaliseArticle,
  reviewDueAt,
  sendDueAt,
} from '@inbox/knowledge';
import { DEMO_FAQ, DEMO_GENERAL, DEMO_TEMPLATES, type DemoArticle } from './demo-knowledge-content';
import { DEMO_ORGANISATIONS, type DemoOrganisation } from './demo-organisations';
import { DEMO_TOPICS } from './demo-topics';

export { DEMO_FAQ, DEMO_GENERAL, DEMO_TEMPLATES, type DemoArticle } from './demo-knowledge-content';

const DAY_MS = 86_400_000;
/** The demo's section left unreviewed for longer than a quarter (S4 п. 41): shows overdue. */
export const DEMO_OVERDUE_SECTION = { org: 'gzhi', title: 'Жилищно-коммунальное хозяйство' };
/** The demo's change waiting for approval at Минжкх (its responsible person is the demo `clerk`). */
export const DEMO_PENDING_CHANGE = { org: 'minjkh', topic: 'housing-water' };
/** Organisations that have not (yet) allowed their FAQ on the public pages. */
const NO_PUBLIC_FAQ = new Set(['gov', 'minstroy']);

const WEEKDAY_RU = ['', 'Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'];

/** "Пн–Чт 09:00–18:00; Пт 09:00–17:00; Сб, Вс — выходные" from the directory's working hours. */
export function scheduleRu(hours: WorkingHours): string {
  const groups: { from: number; to: number; text: string }[] = [];
  for (let d = 1; d <= 7; d++) {
    const h = hours[d];
    const text = h ? `${h.start}–${h.end}` : 'выходной';
    const last = groups.at(-1);
    if (last && last.text === text && last.to === d - 1) last.to = d;
    else groups.push({ from: d, to: d, text });
  }
  return groups
    .map((g) => {
      const days = g.from === g.to ? WEEKDAY_RU[g.from] : `${WEEKDAY_RU[g.from]}–${WEEKDAY_RU[g.to]}`;
      return `${days} ${g.text}`;
    })
    .join('; ');
}

/** Contacts and the reception schedule of each organisation, from the directory (S4 п. 40). */
export function directoryArticles(orgs: readonly DemoOrganisation[] = DEMO_ORGANISATIONS): DemoArticle[] {
  return orgs
    .filter((o) => o.kind !== 'municipality')
    .flatMap((o) => [
      {
        org: o.code,
        kind: 'contacts' as const,
        title: `${o.shortName}: контакты для консультации`,
        body: [
          o.name,
          o.contacts.phone && `Телефон: ${o.contacts.phone}`,
          o.contacts.email && `Электронная почта: ${o.contacts.email}`,
          o.contacts.address && `Адрес: ${o.contacts.address}`,
          o.contacts.website && `Сайт: ${o.contacts.website}`,
        ]
          .filter(Boolean)
          .join('\n'),
        keywords: ['контакты', 'телефон', 'адрес', o.shortName.toLowerCase()],
      },
      {
        org: o.code,
        kind: 'schedule' as const,
        title: `${o.shortName}: график работы и приёма граждан`,
        body:
          `Режим работы (${o.timeZone === 'Asia/Omsk' ? 'омское' : 'новосибирское'} время): ${scheduleRu(o.workingHours)}. ` +
          'В предпраздничные дни — на час короче. Личный приём граждан руководителем — по предварительной записи ' +
          `по телефону ${o.contacts.phone ?? 'приёмной'}; консультации специалистов — в часы работы.`,
        keywords: ['график работы', 'часы приёма', 'личный приём', o.shortName.toLowerCase()],
      },
    ]);
}

export const DEMO_ARTICLES: DemoArticle[] = [...DEMO_FAQ, ...DEMO_TEMPLATES, ...DEMO_GENERAL];

function sectionTitle(a: DemoArticle, topicName: (code: string) => string | undefined): string {
  if (a.topic) {
    const sub = DEMO_TOPICS.find((t) => t.code === a.topic);
    return topicName(sub?.parentCode ?? a.topic) ?? 'Общие вопросы';
  }
  if (a.kind === 'greeting-script' || a.kind === 'farewell-script' || a.kind === 'call-script') {
    return 'Скрипты обслуживания';
  }
  if (a.kind === 'legal-act') return 'Нормативные правовые акты';
  if (a.kind === 'service') return 'Услуги';
  return 'Общие сведения';
}

/** A stable 0…n-1 from a string, so the demo's review dates are the same on every start. */
function spread(text: string, n: number): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % n;
}

export interface DemoKnowledgeOptions {
  now: Date;
  /** Organisation code → the user named responsible for its KB (S1 п. 3.1). */
  responsible?: Record<string, string>;
  /** The management centre's user who asked for the pending change. */
  requestedBy?: string | null;
}

/**
 * Writes the demo knowledge base once (nothing happens when sections exist): every organisation's sections,
 * a few dozen articles as their first published versions, the organisations' settings, one section overdue
 * for review and one change from the management centre waiting for the Минжкх responsible person's approval.
 */
export async function seedDemoKnowledge(
  ds: DataSource,
  options: DemoKnowledgeOptions,
): Promise<{ sections: number; articles: number; requests: number }> {
  const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM kb_sections`)) as { n: number }[];
  if (n > 0) return { sections: 0, articles: 0, requests: 0 };
  const repo = new KnowledgeRepository(ds);
  const topics = new Map(
    (
      (await ds.query(`SELECT id, code, name FROM topics`)) as { id: string; code: string; name: string }[]
    ).map((t) => [t.code, t]),
  );
  const orgIds = new Map(
    ((await ds.query(`SELECT id, code FROM organisations`)) as { id: string; code: string }[]).map((o) => [
      o.code,
      o.id,
    ]),
  );
  const topicName = (code: string) => topics.get(code)?.name;
  const articles = [...DEMO_ARTICLES, ...directoryArticles()].filter((a) => orgIds.has(a.org));
  const now = options.now;
  return repo.transaction(async (tx) => {
    for (const org of DEMO_ORGANISATIONS.filter((o) => orgIds.has(o.code))) {
      await repo.saveSettings(
        orgIds.get(org.code)!,
        {
          ...(options.responsible?.[org.code] ? { responsibleUserId: options.responsible[org.code] } : {}),
          publicFaq: !NO_PUBLIC_FAQ.has(org.code),
        },
        tx,
      );
    }
    const sections = new Map<string, string>();
    const articleIds = new Map<DemoArticle, string>();
    for (const a of articles) {
      const orgId = orgIds.get(a.org)!;
      const org = (await repo.organisation(orgId, tx))!;
      const title = sectionTitle(a, topicName);
      const key = `${a.org}|${title}`;
      if (!sections.has(key)) {
        const overdue = a.org === DEMO_OVERDUE_SECTION.org && title === DEMO_OVERDUE_SECTION.title;
        // Reviewed 10–79 days ago (some due within two weeks); the overdue one 100 days ago.
        const reviewedAt = new Date(now.getTime() - (overdue ? 100 : 10 + spread(key, 70)) * DAY_MS);
        const sub = a.topic ? DEMO_TOPICS.find((t) => t.code === a.topic) : undefined;
        sections.set(
          key,
          await repo.insertSection(
            {
              organisationId: orgId,
              topicId: sub ? (topics.get(sub.parentCode ?? sub.code)?.id ?? null) : null,
              title,
              description: null,
              responsibleUserId: null,
              createdAt: new Date(reviewedAt.getTime() - 200 * DAY_MS),
              lastReviewedAt: reviewedAt,
              reviewDueAt: reviewDueAt(reviewedAt, org),
            },
            tx,
          ),
        );
      }
      const content = normaliseArticle({
        kind: a.kind,
        title: a.title,
        question: a.question,
        body: a.body,
        parts: a.parts,
        keywords: a.keywords,
        source: a.source,
        topicId: a.topic ? (topics.get(a.topic)?.id ?? null) : null,
        public: a.public === true,
      }) as ArticleContent;
      const publishedAt = new Date(now.getTime() - (120 + spread(a.title, 200)) * DAY_MS);
      articleIds.set(
        a,
        await repo.insertArticle(
          {
            sectionId: sections.get(key)!,
            organisationId: orgId,
            content,
            publishedAt,
            publishedBy: null,
            changeRequestId: null,
          },
          tx,
        ),
      );
    }
    // One change in approval: the management centre asks Минжкх to add the summer shutdown schedule.
    let requests = 0;
    const pending = articles.find(
      (a) =>
        a.org === DEMO_PENDING_CHANGE.org &&
        a.topic === DEMO_PENDING_CHANGE.topic &&
        a.kind === ArticleKind.Faq,
    );
    if (pending) {
      const orgId = orgIds.get(pending.org)!;
      const org = (await repo.organisation(orgId, tx))!;
      const articleId = articleIds.get(pending)!;
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { organisationId, sectionId, version, status, ...current } = (await repo.articleContent(
        articleId,
        tx,
      ))!;
      const createdAt = new Date(now.getTime() - DAY_MS);
      const id = await repo.insertRequest(
        {
          organisationId: orgId,
          sectionId,
          articleId,
          kind: 'content',
          origin: 'management-centre',
          status: 'sent',
          subject: 'Летние отключения горячей воды: где смотреть график',
          details:
            'Операторы ЦУР получают много звонков о летних отключениях горячей воды. Предлагаем добавить в ответ, ' +
            'где публикуется график и сколько длятся работы.',
          proposed: {
            ...current,
            body:
              `${current.body} График летних отключений на ремонт сетей публикуется на сайте теплоснабжающей ` +
              'организации и в квитанции за май; по вашему адресу его также подскажет оператор ЦУР.',
          },
          createdBy: options.requestedBy ?? null,
          createdAt,
          sendDueAt: sendDueAt(createdAt, org),
          sentAt: createdAt,
          approvalDueAt: requestStepDueAt('approval', createdAt, 'content', org),
        },
        tx,
      );
      if (id) {
        await repo.requestEvent(
          id,
          'created',
          options.requestedBy ?? null,
          createdAt,
          { origin: 'management-centre' },
          tx,
        );
        await repo.requestEvent(id, 'sent', options.requestedBy ?? null, createdAt, {}, tx);
        requests++;
      }
    }
    return { sections: sections.size, articles: articles.length, requests };
  });
}
