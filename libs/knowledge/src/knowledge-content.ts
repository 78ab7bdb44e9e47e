import { invalidInput } from '@inbox/common';
import {
  type ArticleContent,
  ArticleKind,
  isArticleKind,
  placeholdersOf,
  type ProposedArticle,
  type ProposedTopicSet,
  TEMPLATE_PLACEHOLDERS,
} from './knowledge.types';

export const MAX_TITLE = 300;
export const MAX_BODY = 20_000;
export const MAX_PARTS = 30;
export const MAX_KEYWORDS = 30;
export const MAX_LINKS = 30;
export const MAX_ATTACHMENTS = 10;
export const MAX_TOPICS_IN_SET = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ArticleInput = Partial<Omit<ArticleContent, 'kind'>> & { kind?: string; archive?: boolean };

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/**
 * Checks and normalises an article's content (trimmed, de-duplicated, kind-specific rules): an FAQ needs its
 * question; a template may use only the placeholders the answer drafting fills; only an FAQ may be public.
 * Throws `invalid-input` with every problem by field.
 */
export function normaliseArticle(input: ArticleInput): ProposedArticle {
  const errors: Record<string, string> = {};
  const kind = input.kind;
  if (!isArticleKind(kind)) errors.kind = 'Укажите вид материала';
  const title = text(input.title);
  if (title.length < 3) errors.title = 'Заголовок — от 3 символов';
  else if (title.length > MAX_TITLE) errors.title = `Заголовок — не длиннее ${MAX_TITLE} символов`;
  const body = text(input.body);
  if (body.length < 10) errors.body = 'Текст — от 10 символов';
  else if (body.length > MAX_BODY) errors.body = `Текст — не длиннее ${MAX_BODY} символов`;
  const question = text(input.question) || null;
  if (kind === ArticleKind.Faq && !question) errors.question = 'Для частого вопроса укажите вопрос';
  if (question && question.length > MAX_TITLE * 2) errors.question = 'Вопрос — не длиннее 600 символов';
  const parts = (input.parts ?? [])
    .map((p) => ({ heading: text(p?.heading), text: text(p?.text) }))
    .filter((p) => p.heading || p.text);
  if (parts.length > MAX_PARTS) errors.parts = `Не более ${MAX_PARTS} разделов статьи`;
  if (parts.some((p) => !p.heading || !p.text)) errors.parts = 'У каждого раздела статьи — заголовок и текст';
  if (parts.reduce((n, p) => n + p.text.length, 0) > MAX_BODY)
    errors.parts = 'Разделы статьи слишком длинные';
  const keywords = [...new Set((input.keywords ?? []).map((k) => text(k).toLowerCase()).filter(Boolean))];
  if (keywords.length > MAX_KEYWORDS) errors.keywords = `Не более ${MAX_KEYWORDS} ключевых слов`;
  const links = [...new Set((input.links ?? []).map(text))];
  if (links.length > MAX_LINKS || links.some((l) => !UUID.test(l))) errors.links = 'Ссылки — id статей';
  const attachmentIds = [...new Set((input.attachmentIds ?? []).map(text))];
  if (attachmentIds.length > MAX_ATTACHMENTS || attachmentIds.some((a) => !UUID.test(a))) {
    errors.attachmentIds = `Не более ${MAX_ATTACHMENTS} вложений`;
  }
  const topicId = text(input.topicId) || null;
  if (topicId && !UUID.test(topicId)) errors.topicId = 'Неизвестная тема';
  const isPublic = input.public === true;
  if (isPublic && kind !== ArticleKind.Faq) errors.public = 'Гражданам публикуются только частые вопросы';
  if (kind === ArticleKind.Template) {
    const unknown = [body, ...parts.map((p) => p.text)]
      .flatMap(placeholdersOf)
      .filter((p) => !(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(p));
    if (unknown.length > 0) {
      errors.body = `Неизвестные подстановки: ${[...new Set(unknown)].map((p) => `{{${p}}}`).join(', ')}`;
    }
  }
  if (Object.keys(errors).length > 0) throw invalidInput('Материал базы знаний заполнен с ошибками', errors);
  return {
    kind: kind as ArticleKind,
    title,
    question,
    body,
    parts,
    keywords,
    links,
    attachmentIds,
    source: text(input.source) || null,
    topicId,
    public: isPublic,
    ...(input.archive === true ? { archive: true } : {}),
  };
}

/** S0 annex 2 п. 1: the topics of a proposed classifier, each with an optional parent from the same set. */
export function normaliseTopicSet(input: {
  topics?: { name?: unknown; parentName?: unknown }[];
}): ProposedTopicSet {
  const topics = (input.topics ?? []).map((t) => ({
    name: text(t?.name),
    parentName: text(t?.parentName) || null,
  }));
  const errors: Record<string, string> = {};
  if (topics.length === 0) errors.topics = 'Перечислите темы классификатора';
  if (topics.length > MAX_TOPICS_IN_SET) errors.topics = `Не более ${MAX_TOPICS_IN_SET} тем за раз`;
  if (topics.some((t) => t.name.length < 2 || t.name.length > MAX_TITLE)) {
    errors.topics = 'Название темы — от 2 до 300 символов';
  }
  const names = new Set(topics.map((t) => t.name));
  if (names.size !== topics.length) errors.topics = 'Темы повторяются';
  const orphan = topics.find((t) => t.parentName && !names.has(t.parentName));
  if (orphan) errors.topics = `Родительской темы «${orphan.parentName}» нет в перечне`;
  if (Object.keys(errors).length > 0) throw invalidInput('Перечень тем заполнен с ошибками', errors);
  return { topics };
}

/** The text a search indexes with the lowest weight: the body and every part. */
export function indexedBody(content: Pick<ArticleContent, 'body' | 'parts'>): string {
  return [content.body, ...content.parts.map((p) => `${p.heading}\n${p.text}`)].join('\n\n');
}
