/**
 * Two-level rubricator of the demo region. `defaultOrganisationCode` is the competent body (a code from
 * DEMO_ORGANISATIONS) the ЦУР routes to by default; `fastTrackKeywords` are phrases that mark an item as
 * urgent (lower-case, matched case-insensitively against the text).
 */
export interface DemoTopic {
  code: string;
  name: string;
  parentCode?: string;
  defaultOrganisationCode?: string;
  fastTrackKeywords?: string[];
}

function topic(code: string, name: string, defaultOrganisationCode: string): DemoTopic {
  return { code, name, defaultOrganisationCode };
}

function sub(
  parentCode: string,
  code: string,
  name: string,
  defaultOrganisationCode: string,
  fastTrackKeywords?: string[],
): DemoTopic {
  return fastTrackKeywords
    ? { code, name, parentCode, defaultOrganisationCode, fastTrackKeywords }
    : { code, name, parentCode, defaultOrganisationCode };
}

export const DEMO_TOPICS: DemoTopic[] = [
  topic('housing', 'Жилищно-коммунальное хозяйство', 'minjkh'),
  sub('housing', 'housing-heating', 'Отопление', 'minjkh', [
    'нет отопления',
    'холодные батареи',
    'замерзаем',
  ]),
  sub('housing', 'housing-water', 'Водоснабжение и водоотведение', 'minjkh', [
    'прорыв трубы',
    'прорвало трубу',
  ]),
  sub('housing', 'housing-electricity', 'Электроснабжение', 'minjkh', ['оборван провод', 'искрит']),
  sub('housing', 'housing-waste', 'Вывоз твёрдых коммунальных отходов', 'minjkh'),
  sub('housing', 'housing-capital-repair', 'Капитальный ремонт многоквартирных домов', 'minjkh'),
  sub('housing', 'housing-management', 'Работа управляющих компаний', 'gzhi'),
  sub('housing', 'housing-bills', 'Плата за жилищно-коммунальные услуги', 'gzhi'),

  topic('roads', 'Дороги и транспорт', 'mintrans'),
  sub('roads', 'roads-repair', 'Ремонт дорог, ямы на дорогах', 'mintrans'),
  sub('roads', 'roads-public-transport', 'Общественный транспорт', 'mintrans'),
  sub('roads', 'roads-stops', 'Остановочные павильоны', 'mintrans'),
  sub('roads', 'roads-lighting', 'Освещение улиц и дорог', 'mintrans'),
  sub('roads', 'roads-winter', 'Зимнее содержание дорог', 'uad'),
  sub('roads', 'roads-traffic', 'Светофоры, дорожные знаки и разметка', 'mintrans'),

  topic('improvement', 'Благоустройство', 'minjkh'),
  sub('improvement', 'improvement-yards', 'Благоустройство дворов и общественных пространств', 'minjkh'),
  sub('improvement', 'improvement-snow', 'Уборка снега и наледи', 'minjkh', ['сосульки', 'снег с крыши']),
  sub('improvement', 'improvement-trees', 'Озеленение и аварийные деревья', 'minjkh', [
    'аварийное дерево',
    'упало дерево',
    'может упасть',
  ]),
  sub('improvement', 'improvement-playgrounds', 'Детские и спортивные площадки', 'minjkh'),
  sub('improvement', 'improvement-manholes', 'Открытые люки и колодцы', 'minjkh', [
    'открытый люк',
    'открытый колодец',
  ]),
  sub('improvement', 'improvement-animals', 'Безнадзорные животные', 'minpriroda', ['покусали']),

  topic('health', 'Здравоохранение', 'minzdrav'),
  sub('health', 'health-appointments', 'Запись к врачу и доступность медицинской помощи', 'minzdrav'),
  sub('health', 'health-medicines', 'Лекарственное обеспечение', 'minzdrav', ['нет инсулина']),
  sub('health', 'health-ambulance', 'Скорая медицинская помощь', 'minzdrav'),
  sub('health', 'health-quality', 'Качество медицинской помощи и медицинская этика', 'minzdrav'),
  sub('health', 'health-rural', 'Фельдшерско-акушерские пункты', 'minzdrav'),

  topic('education', 'Образование', 'minobr'),
  sub('education', 'education-kindergarten', 'Детские сады: очередь и зачисление', 'minobr'),
  sub('education', 'education-compensation', 'Компенсация родительской платы за детский сад', 'minobr'),
  sub('education', 'education-schools', 'Школы: условия обучения и питание', 'minobr'),
  sub('education', 'education-school-transport', 'Подвоз школьников', 'minobr'),
  sub('education', 'education-extra', 'Дополнительное образование', 'minobr'),

  topic('social', 'Социальная защита и занятость', 'minsoc'),
  sub('social', 'social-families', 'Меры поддержки семей с детьми', 'minsoc'),
  sub('social', 'social-veterans', 'Ветераны и пенсионеры', 'cspn'),
  sub('social', 'social-disabled', 'Поддержка людей с инвалидностью', 'minsoc'),
  sub('social', 'social-low-income', 'Малоимущие граждане, социальный контракт', 'cspn'),
  sub('social', 'social-employment', 'Трудоустройство и пособие по безработице', 'dtzn'),
  sub('social', 'social-wages', 'Задолженность по заработной плате', 'dtzn'),

  topic('ecology', 'Экология и природопользование', 'minpriroda'),
  sub('ecology', 'ecology-dumps', 'Несанкционированные свалки', 'minpriroda'),
  sub('ecology', 'ecology-air', 'Загрязнение воздуха', 'minpriroda'),
  sub('ecology', 'ecology-water', 'Водоёмы и береговая полоса', 'minpriroda'),
  sub('ecology', 'ecology-forest', 'Леса: вырубка и пожары', 'minpriroda', ['горит лес', 'лесной пожар']),

  topic('construction', 'Строительство', 'minstroy'),
  sub(
    'construction',
    'construction-shareholders',
    'Проблемные объекты и участники долевого строительства',
    'minstroy',
  ),
  sub('construction', 'construction-dilapidated', 'Аварийное жильё и переселение', 'minstroy', [
    'обрушение',
    'обрушился',
  ]),
  sub('construction', 'construction-social', 'Строительство школ, детских садов и поликлиник', 'minstroy'),
  sub('construction', 'construction-sites', 'Нарушения при ведении строительных работ', 'minstroy'),

  topic('property', 'Имущество и земельные отношения', 'dizo'),
  sub('property', 'property-large-families', 'Земельные участки для многодетных семей', 'dizo'),
  sub('property', 'property-land', 'Предоставление и аренда земельных участков', 'dizo'),
  sub('property', 'property-boundaries', 'Границы участков и самовольный захват земли', 'dizo'),
  sub('property', 'property-state', 'Использование государственного имущества', 'dizo'),

  topic('culture-sport', 'Культура и спорт', 'minkult'),
  sub('culture-sport', 'culture-institutions', 'Библиотеки, музеи и дома культуры', 'minkult'),
  sub('culture-sport', 'culture-heritage', 'Объекты культурного наследия', 'minkult'),
  sub('culture-sport', 'culture-events', 'Культурно-массовые мероприятия', 'minkult'),
  sub('culture-sport', 'sport-facilities', 'Спортивные объекты и секции', 'minsport'),

  topic('digital', 'Связь и цифровые услуги', 'mincifra'),
  sub('digital', 'digital-mobile', 'Мобильная связь', 'mincifra'),
  sub('digital', 'digital-internet', 'Доступ в интернет', 'mincifra'),
  sub('digital', 'digital-gosuslugi', 'Госуслуги и электронные сервисы', 'mincifra'),
  sub('digital', 'digital-mfc', 'Работа МФЦ', 'mfc'),

  topic('other', 'Прочее', 'cur'),
  sub('other', 'other-gratitude', 'Благодарности', 'cur'),
  sub('other', 'other-archive', 'Архивные справки и документы', 'arhiv'),
  sub('other', 'other-officials', 'Работа органов власти и должностных лиц', 'gov'),
  sub('other', 'other-misc', 'Иные вопросы', 'cur'),
];

export function findDemoTopic(code: string): DemoTopic | undefined {
  return DEMO_TOPICS.find((t) => t.code === code);
}
