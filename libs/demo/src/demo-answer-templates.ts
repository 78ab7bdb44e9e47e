import { type DataSource } from 'typeorm';
import { seedDemoRows } from './demo-seeding';

/** A demo answer template in codes of the demo directory; no organisation: a common one. */
export interface DemoAnswerTemplate {
  organisationCode?: string;
  topicCode?: string;
  title: string;
  body: string;
}

export const DEMO_ANSWER_TEMPLATES: DemoAnswerTemplate[] = [
  {
    title: 'Промежуточный ответ: срок рассмотрения продлён',
    body: 'Уважаемый(ая) {{applicantName}}! Ваше обращение № {{registrationNumber}} от {{registrationDate}} рассматривается {{organisation}}. Для проверки изложенных фактов срок рассмотрения продлён; ответ будет направлен Вам не позднее {{answerDueDate}}.',
  },
  {
    title: 'Обращение направлено по компетенции',
    body: 'Уважаемый(ая) {{applicantName}}! Вопросы, поставленные в обращении № {{registrationNumber}} от {{registrationDate}}, не относятся к компетенции {{organisation}}. В соответствии с ч. 3 ст. 8 Федерального закона № 59-ФЗ обращение направлено в орган, к компетенции которого относится их решение; о результатах Вам сообщат.',
  },
  {
    organisationCode: 'minjkh',
    topicCode: 'housing-heating',
    title: 'Отопление: проверка и перерасчёт',
    body: 'Уважаемый(ая) {{applicantName}}! По Вашему обращению № {{registrationNumber}} от {{registrationDate}} проведена проверка теплоснабжения дома. Управляющей организации выдано предписание восстановить температурный режим; за период отклонения будет произведён перерасчёт платы за отопление.',
  },
  {
    organisationCode: 'minjkh',
    topicCode: 'housing',
    title: 'Аварийные работы: течь устранена',
    body: 'Уважаемый(ая) {{applicantName}}! По Вашему обращению № {{registrationNumber}} от {{registrationDate}} сообщаем: аварийная бригада устранила течь, повреждённый участок трубопровода заменён. Контроль выполнения работ оставлен за {{organisation}}.',
  },
  {
    organisationCode: 'mintrans',
    topicCode: 'roads-repair',
    title: 'Ямочный ремонт включён в план',
    body: 'Уважаемый(ая) {{applicantName}}! По Вашему обращению № {{registrationNumber}} от {{registrationDate}} участок дороги обследован; ямочный ремонт включён в план работ текущего сезона подрядной организации. Выполнение работ на контроле {{organisation}}.',
  },
];

/**
 * Seeds the demo answer templates idempotently by organisation and title: an existing template is left as
 * its organisation may have edited it. A template whose organisation or topic is missing from the
 * directory is skipped. Returns how many were created.
 */
export function seedDemoAnswerTemplates(ds: DataSource): Promise<number> {
  const audit = { action: 'create-template', entityType: 'answer-template' };
  return seedDemoRows(ds, 'seed-demo-answer-templates', DEMO_ANSWER_TEMPLATES, audit, async (tx, t) => {
    const [row] = (await tx.query(
      `WITH org AS (SELECT id FROM organisations WHERE code = $1::text),
            topic AS (SELECT id FROM topics WHERE code = $2::text)
       INSERT INTO answer_templates (organisation_id, topic_id, title, body)
       SELECT (SELECT id FROM org), (SELECT id FROM topic), $3::text, $4::text
        WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM org))
          AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM topic))
          AND NOT EXISTS (
            SELECT 1 FROM answer_templates a
             WHERE a.organisation_id IS NOT DISTINCT FROM (SELECT id FROM org) AND lower(a.title) = lower($3::text))
       RETURNING id`,
      [t.organisationCode ?? null, t.topicCode ?? null, t.title, t.body],
    )) as { id: string }[];
    return row?.id;
  });
}
