/** What an article is (S4 п. 40, S1 п. 2, S0). Stored as text: never rename a value. */
export enum ArticleKind {
  /** An answer template with placeholders ({{applicantName}} …). */
  Template = 'template',
  /** A frequently asked question with its answer. */
  Faq = 'faq',
  GreetingScript = 'greeting-script',
  FarewellScript = 'farewell-script',
  CallScript = 'call-script',
  /** A legal act with the extracts line 1 needs (S1 п. 2: «нормативные правовые акты (выдержки из них)»). */
  LegalAct = 'legal-act',
  /** A service and how to get it (S4 п. 40: «перечень услуг и сервисов … в том числе в электронном виде»). */
  Service = 'service',
  /** Reception schedule (S4 п. 40: «график и порядок приёма»). */
  Schedule = 'schedule',
  Contacts = 'contacts',
  /** An example of a solved task (S4 п. 40: «примеры решений управленческих и рабочих задач»). */
  SolvedExample = 'solved-example',
}

export const ARTICLE_KINDS = Object.values(ArticleKind) as ArticleKind[];

export const ARTICLE_KIND_RU: Record<ArticleKind, string> = {
  [ArticleKind.Template]: 'Шаблон ответа',
  [ArticleKind.Faq]: 'Частый вопрос',
  [ArticleKind.GreetingScript]: 'Скрипт приветствия',
  [ArticleKind.FarewellScript]: 'Скрипт завершения',
  [ArticleKind.CallScript]: 'Скрипт разговора',
  [ArticleKind.LegalAct]: 'Нормативный акт',
  [ArticleKind.Service]: 'Услуга',
  [ArticleKind.Schedule]: 'График приёма',
  [ArticleKind.Contacts]: 'Контакты',
  [ArticleKind.SolvedExample]: 'Пример решения',
};

/** Kinds whose text can go into an answer draft with one click. */
export const INSERTABLE_KINDS: readonly ArticleKind[] = [ArticleKind.Template, ArticleKind.Faq];
/** Kinds shown to line 1 during a call. */
export const SCRIPT_KINDS: readonly ArticleKind[] = [
  ArticleKind.GreetingScript,
  ArticleKind.CallScript,
  ArticleKind.FarewellScript,
];

export function isArticleKind(value: unknown): value is ArticleKind {
  return typeof value === 'string' && (ARTICLE_KINDS as string[]).includes(value);
}

export type ChangeRequestKind = 'content' | 'topic-set';
export type ChangeRequestStatus = 'draft' | 'sent' | 'returned' | 'approved' | 'published' | 'cancelled';
/** Who asked: the organisation itself, the management centre, or a gap found while handling appeals. */
export type ChangeRequestOrigin =
  | 'organisation'
  | 'management-centre'
  | 'escalation'
  | 'worth-adding'
  | 'appeals-stream';

export const OPEN_REQUEST_STATUSES: readonly ChangeRequestStatus[] = [
  'draft',
  'sent',
  'returned',
  'approved',
];

export const REQUEST_STATUS_RU: Record<ChangeRequestStatus, string> = {
  draft: 'Формируется',
  sent: 'На согласовании',
  returned: 'Возвращён на доработку',
  approved: 'Согласован, ждёт внесения',
  published: 'Внесён в базу знаний',
  cancelled: 'Отозван',
};

/** A part of a structured article: a heading and its text. */
export interface ArticlePart {
  heading: string;
  text: string;
}

/** The content of one version of an article. */
export interface ArticleContent {
  kind: ArticleKind;
  title: string;
  /** The question, for an FAQ. */
  question: string | null;
  /** The answer, the template, the script, the extract… */
  body: string;
  parts: ArticlePart[];
  keywords: string[];
  /** Other articles this one refers to. */
  links: string[];
  attachmentIds: string[];
  /** For a legal act: its requisites («Федеральный закон от 02.05.2006 № 59-ФЗ, ст. 12»); else a source. */
  source: string | null;
  topicId: string | null;
  /** Shown to citizens (public pages, the bot) when the organisation allows it; FAQ only. */
  public: boolean;
}

/** What a change request proposes for an article: the full new content, or to archive it. */
export interface ProposedArticle extends ArticleContent {
  archive?: boolean;
}

/** S0 annex 2 п. 1: a topic set for the classifier. */
export interface ProposedTopicSet {
  topics: { name: string; parentName?: string | null }[];
}

/** Placeholders an answer template may use: the same the answer drafting fills (libs/appeals). */
export const TEMPLATE_PLACEHOLDERS = [
  'applicantName',
  'registrationNumber',
  'registrationDate',
  'organisation',
  'answerDueDate',
] as const;

export const TEMPLATE_PLACEHOLDERS_RU: Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string> = {
  applicantName: 'обращение к заявителю (имя и отчество)',
  registrationNumber: 'регистрационный номер обращения',
  registrationDate: 'дата регистрации',
  organisation: 'организация',
  answerDueDate: 'срок ответа',
};

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}
