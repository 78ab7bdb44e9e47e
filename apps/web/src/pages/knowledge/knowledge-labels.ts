/** Russian labels of the knowledge base (kinds, request states, clocks), as the server names them. */
export const KIND_LABEL: Record<string, string> = {
  template: 'Шаблон ответа',
  faq: 'Частый вопрос',
  'greeting-script': 'Скрипт приветствия',
  'farewell-script': 'Скрипт завершения',
  'call-script': 'Скрипт разговора',
  'legal-act': 'Нормативный акт',
  service: 'Услуга',
  schedule: 'График приёма',
  contacts: 'Контакты',
  'solved-example': 'Пример решения',
};

export const KIND_COLOR: Record<string, string> = {
  template: 'blue',
  faq: 'teal',
  'greeting-script': 'grape',
  'farewell-script': 'grape',
  'call-script': 'grape',
  'legal-act': 'orange',
  service: 'cyan',
  schedule: 'gray',
  contacts: 'gray',
  'solved-example': 'lime',
};

export const REQUEST_STATUS_COLOR: Record<string, string> = {
  draft: 'gray',
  sent: 'blue',
  returned: 'orange',
  approved: 'violet',
  published: 'teal',
  cancelled: 'gray',
};

export const ORIGIN_LABEL: Record<string, string> = {
  organisation: 'от организации',
  'management-centre': 'от ЦУР',
  escalation: 'нет ответа в БЗ (передача на 2-ю линию)',
  'worth-adding': 'ответ стоит добавить',
  'appeals-stream': 'повторяющиеся вопросы',
};

export const CLOCK_LABEL: Record<string, string> = {
  'kb-send': 'направление на согласование',
  'kb-approval': 'согласование',
  'kb-publication': 'внесение в базу знаний',
  'kb-review': 'актуализация раздела',
};

export const REQUEST_EVENT_LABEL: Record<string, string> = {
  created: 'Запрос сформирован',
  updated: 'Запрос доработан',
  sent: 'Направлен ответственному лицу',
  approved: 'Согласован',
  returned: 'Возвращён на доработку',
  published: 'Внесён в базу знаний',
  cancelled: 'Отозван',
};

export const KINDS = Object.keys(KIND_LABEL);

/** «БЗ-12»: how staff name a request. */
export const requestNumber = (n: string | number) => `БЗ-${n}`;

/** The step a request waits for and its due time, or null when it waits for nothing. */
export function pendingStep(r: {
  status: string;
  sendDueAt: string;
  approvalDueAt: string | null;
  publicationDueAt: string | null;
}): { label: string; due: string } | null {
  if (r.status === 'draft') return { label: 'направить', due: r.sendDueAt };
  if (r.status === 'sent' && r.approvalDueAt) return { label: 'согласовать', due: r.approvalDueAt };
  if (r.status === 'approved' && r.publicationDueAt) return { label: 'внести', due: r.publicationDueAt };
  return null;
}
