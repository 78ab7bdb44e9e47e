import { DemoRandom } from './demo-random';

export type Gender = 'male' | 'female';

export interface DemoPerson {
  gender: Gender;
  surname: string;
  firstName: string;
  patronymic: string;
}

const MALE_NAMES = [
  'Александр',
  'Алексей',
  'Андрей',
  'Антон',
  'Артём',
  'Борис',
  'Вадим',
  'Валерий',
  'Василий',
  'Виктор',
  'Владимир',
  'Геннадий',
  'Денис',
  'Дмитрий',
  'Евгений',
  'Иван',
  'Игорь',
  'Илья',
  'Константин',
  'Максим',
  'Михаил',
  'Никита',
  'Николай',
  'Олег',
  'Павел',
  'Роман',
  'Сергей',
  'Станислав',
  'Юрий',
  'Ярослав',
];

const FEMALE_NAMES = [
  'Алёна',
  'Алла',
  'Анастасия',
  'Анна',
  'Валентина',
  'Вера',
  'Виктория',
  'Галина',
  'Дарья',
  'Евгения',
  'Екатерина',
  'Елена',
  'Ирина',
  'Кристина',
  'Ксения',
  'Лариса',
  'Людмила',
  'Марина',
  'Мария',
  'Надежда',
  'Наталья',
  'Нина',
  'Оксана',
  'Ольга',
  'Светлана',
  'Софья',
  'Тамара',
  'Татьяна',
  'Юлия',
  'Яна',
];

/** Fathers' names as [masculine, feminine] patronymics. */
const PATRONYMICS: ReadonlyArray<readonly [string, string]> = [
  ['Александрович', 'Александровна'],
  ['Алексеевич', 'Алексеевна'],
  ['Анатольевич', 'Анатольевна'],
  ['Андреевич', 'Андреевна'],
  ['Борисович', 'Борисовна'],
  ['Валерьевич', 'Валерьевна'],
  ['Васильевич', 'Васильевна'],
  ['Викторович', 'Викторовна'],
  ['Владимирович', 'Владимировна'],
  ['Геннадьевич', 'Геннадьевна'],
  ['Григорьевич', 'Григорьевна'],
  ['Дмитриевич', 'Дмитриевна'],
  ['Евгеньевич', 'Евгеньевна'],
  ['Иванович', 'Ивановна'],
  ['Игоревич', 'Игоревна'],
  ['Ильич', 'Ильинична'],
  ['Константинович', 'Константиновна'],
  ['Михайлович', 'Михайловна'],
  ['Николаевич', 'Николаевна'],
  ['Олегович', 'Олеговна'],
  ['Павлович', 'Павловна'],
  ['Петрович', 'Петровна'],
  ['Романович', 'Романовна'],
  ['Сергеевич', 'Сергеевна'],
  ['Юрьевич', 'Юрьевна'],
];

/** Masculine forms; feminine and genitive forms are derived by feminineSurname / genitiveSurname. */
const SURNAMES = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Петров',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
  'Алексеев',
  'Лебедев',
  'Семёнов',
  'Егоров',
  'Павлов',
  'Козлов',
  'Степанов',
  'Николаев',
  'Орлов',
  'Андреев',
  'Макаров',
  'Никитин',
  'Захаров',
  'Зайцев',
  'Соловьёв',
  'Борисов',
  'Яковлев',
  'Григорьев',
  'Романов',
  'Воробьёв',
  'Сергеев',
  'Кузьмин',
  'Фролов',
  'Александров',
  'Дмитриев',
  'Королёв',
  'Гусев',
  'Киселёв',
  'Ильин',
  'Максимов',
  'Поляков',
  'Сорокин',
  'Виноградов',
  'Ковалёв',
  'Белов',
  'Медведев',
  'Антонов',
  'Тарасов',
  'Жуков',
  'Баранов',
  'Филиппов',
  'Комаров',
  'Давыдов',
  'Беляев',
  'Герасимов',
  'Богданов',
  'Осипов',
  'Сидоров',
  'Матвеев',
  'Титов',
  'Марков',
  'Миронов',
  'Крылов',
  'Куликов',
  'Карпов',
  'Власов',
  'Мельников',
  'Денисов',
  'Гаврилов',
  'Тихонов',
  'Казаков',
  'Афанасьев',
  'Голубев',
  'Пономарёв',
  'Калинин',
  'Шубин',
  'Лапин',
  'Брагин',
  'Вишневский',
  'Ковальский',
  'Островский',
  'Покровский',
  'Белецкий',
  'Толстой',
  'Шевченко',
  'Коваленко',
  'Бондаренко',
  'Кравченко',
  'Черных',
  'Седых',
  'Долгих',
  'Белых',
];

export function feminineSurname(masculine: string): string {
  if (/(ов|ев|ёв|ин|ын)$/.test(masculine)) return `${masculine}а`;
  if (/(ский|цкий)$/.test(masculine)) return `${masculine.slice(0, -2)}ая`;
  if (/ой$/.test(masculine)) return `${masculine.slice(0, -2)}ая`;
  // -енко, -ых and the like do not change.
  return masculine;
}

/** Genitive of a surname in its gendered form: Иванов → Иванова, Иванова → Ивановой, Черных → Черных. */
export function genitiveSurname(surname: string, gender: Gender): string {
  if (gender === 'male') {
    if (/(ов|ев|ёв|ин|ын)$/.test(surname)) return `${surname}а`;
    if (/(ский|цкий)$/.test(surname)) return `${surname.slice(0, -2)}ого`;
    if (/ой$/.test(surname)) return `${surname.slice(0, -2)}ого`;
    return surname;
  }
  if (/(ова|ева|ёва|ина|ына)$/.test(surname)) return `${surname.slice(0, -1)}ой`;
  if (/ая$/.test(surname)) return `${surname.slice(0, -2)}ой`;
  return surname;
}

export function randomPerson(rng: DemoRandom): DemoPerson {
  const gender: Gender = rng.chance(0.56) ? 'female' : 'male';
  const masculineSurname = rng.pick(SURNAMES);
  const [malePatronymic, femalePatronymic] = rng.pick(PATRONYMICS);
  return gender === 'male'
    ? { gender, surname: masculineSurname, firstName: rng.pick(MALE_NAMES), patronymic: malePatronymic }
    : {
        gender,
        surname: feminineSurname(masculineSurname),
        firstName: rng.pick(FEMALE_NAMES),
        patronymic: femalePatronymic,
      };
}

/** 'Иванова П. С.' */
export function initials(person: DemoPerson): string {
  return `${person.surname} ${person.firstName[0]}. ${person.patronymic[0]}.`;
}

/**
 * The name of a demo staff member the seed adds for an organisation (its clerk), as staff read it on cards and in
 * the history: a person, by surname and initials, and the organisation's short name in brackets, as it is written.
 * «Специалист Правительство СО» left the name in the nominative where Russian wants the genitive; in brackets it
 * needs no declension, whatever the organisation is called. The same login always gives the same person.
 */
export function demoStaffName(login: string, organisationShortName: string): string {
  // FNV-1a of the login: a seed of its own for each staff member, stable from run to run.
  let seed = 0x811c9dc5;
  for (const ch of login) seed = Math.imul(seed ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return `${initials(randomPerson(new DemoRandom(seed)))} (${organisationShortName.trim()})`;
}

const TRANSLIT: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

export function transliterate(text: string): string {
  return [...text.toLowerCase()].map((ch) => TRANSLIT[ch] ?? ch).join('');
}

/** Reserved `.test` domains: the demo never holds an address that could belong to a real person. */
const EMAIL_DOMAINS = ['mail.test', 'yandex.test', 'gmail.test', 'inbox.test', 'bk.test', 'rambler.test'];

export function randomEmail(rng: DemoRandom, person: DemoPerson): string {
  const surname = transliterate(person.surname);
  const first = transliterate(person.firstName);
  const login = rng.pick([
    `${surname}.${first[0]}`,
    `${first}.${surname}`,
    `${surname}${rng.int(1960, 2005)}`,
    `${first[0]}${surname}${rng.int(1, 99)}`,
    `${first}_${surname.slice(0, 4)}`,
    `${surname}_${first[0]}${transliterate(person.patronymic)[0]}`,
  ]);
  return `${login}@${rng.pick(EMAIL_DOMAINS)}`;
}

/** Russian mobile number in E.164: +7 9xx xxx-xx-xx. */
export function randomMobile(rng: DemoRandom): string {
  const operatorCode = rng.pick(['913', '923', '913', '903', '952', '961', '983', '999', '905', '960']);
  return `+7${operatorCode}${rng.digits(7)}`;
}

/** A social-network style display name. */
export function randomDisplayName(
  rng: DemoRandom,
  person: DemoPerson,
  style: 'profile' | 'messenger',
): string {
  if (style === 'profile') {
    return rng.chance(0.85)
      ? `${person.firstName} ${person.surname}`
      : `${person.firstName} ${person.surname[0]}.`;
  }
  return rng.pick([
    person.firstName,
    `${person.firstName} ${person.surname[0]}.`,
    `${person.firstName} ${person.surname}`,
    `${transliterate(person.firstName)}_${transliterate(person.surname).slice(0, 5)}${rng.int(1, 99)}`,
    `${transliterate(person.firstName)}${rng.int(70, 99)}`,
  ]);
}
