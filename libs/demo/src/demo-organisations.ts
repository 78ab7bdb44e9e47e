/**
 * Organisations of the fictional «Северная область»: the regional government, its management centre (ЦУР,
 * where every appeal lands first), departments, a few subordinate bodies and the municipalities. Contacts
 * use the reserved `.test` domain so that no demo e-mail or web address can reach a real recipient.
 */
export interface DemoOrganisation {
  code: string;
  name: string;
  shortName: string;
  kind: 'region' | 'management-centre' | 'department' | 'subordinate' | 'municipality';
  parentCode?: string;
  timeZone: string;
  workingHours: { [isoWeekday: number]: { start: string; end: string } | undefined };
  contacts: { phone?: string; email?: string; address?: string; website?: string };
  territoryCodes?: string[];
}

type DayHours = { start: string; end: string };
type WeekHours = DemoOrganisation['workingHours'];

function hours(start: string, end: string): DayHours {
  return { start, end };
}

/** ISO weekdays 1 (Monday) … 7 (Sunday); days left out are days off. */
function week(monThu: DayHours, fri: DayHours, sat?: DayHours, sun?: DayHours): WeekHours {
  const result: WeekHours = { 1: monThu, 2: monThu, 3: monThu, 4: monThu, 5: fri };
  if (sat) result[6] = sat;
  if (sun) result[7] = sun;
  return result;
}

/** Mon–Thu 09:00–18:00, Fri 09:00–17:00: the usual schedule of a regional government office. */
const STANDARD = week(hours('09:00', '18:00'), hours('09:00', '17:00'));
/** Municipal administrations and health offices often start and end half an hour earlier. */
const EARLY = week(hours('08:30', '17:30'), hours('08:30', '16:30'));
const RURAL = week(hours('08:00', '17:00'), hours('08:00', '16:00'));

const NOVOSIBIRSK = 'Asia/Novosibirsk';
/** The western districts of the region live on Omsk time (UTC+6), an hour behind the regional centre. */
const OMSK = 'Asia/Omsk';

const CAPITAL = 'Северная область, г. Северогорск';

function department(
  code: string,
  name: string,
  shortName: string,
  phone: string,
  postcode: string,
  street: string,
  workingHours: WeekHours = STANDARD,
): DemoOrganisation {
  return {
    code,
    name,
    shortName,
    kind: 'department',
    parentCode: 'gov',
    timeZone: NOVOSIBIRSK,
    workingHours,
    contacts: {
      phone,
      email: `priem@${code}.severobl.test`,
      address: `${postcode}, ${CAPITAL}, ${street}`,
      website: `https://${code}.severobl.test`,
    },
  };
}

export const DEMO_ORGANISATIONS: DemoOrganisation[] = [
  {
    code: 'gov',
    name: 'Правительство Северной области',
    shortName: 'Правительство СО',
    kind: 'region',
    timeZone: NOVOSIBIRSK,
    workingHours: STANDARD,
    contacts: {
      phone: '+7 (383) 223-01-00',
      email: 'gov@severobl.test',
      address: '632000, Северная область, г. Северогорск, Красный проспект, д. 18',
      website: 'https://severobl.test',
    },
  },
  {
    code: 'cur',
    name: 'Центр управления регионом Северной области',
    shortName: 'ЦУР Северной области',
    kind: 'management-centre',
    parentCode: 'gov',
    timeZone: NOVOSIBIRSK,
    // Monitors every channel seven days a week; weekends with a reduced shift.
    workingHours: week(
      hours('08:00', '20:00'),
      hours('08:00', '20:00'),
      hours('10:00', '18:00'),
      hours('10:00', '18:00'),
    ),
    contacts: {
      phone: '+7 (383) 223-12-12',
      email: 'cur@severobl.test',
      address: '632000, Северная область, г. Северогорск, Красный проспект, д. 18, подъезд 2',
      website: 'https://cur.severobl.test',
    },
  },

  department(
    'minjkh',
    'Министерство жилищно-коммунального хозяйства и энергетики Северной области',
    'Минжкх СО',
    '+7 (383) 238-60-10',
    '632004',
    'ул. Кирова, д. 3',
  ),
  department(
    'mintrans',
    'Министерство транспорта и дорожного хозяйства Северной области',
    'Минтранс СО',
    '+7 (383) 238-65-00',
    '632007',
    'ул. Фрунзе, д. 19',
  ),
  department(
    'minzdrav',
    'Министерство здравоохранения Северной области',
    'Минздрав СО',
    '+7 (383) 238-62-47',
    '632011',
    'Красный проспект, д. 18',
    EARLY,
  ),
  department(
    'minobr',
    'Министерство образования Северной области',
    'Минобр СО',
    '+7 (383) 238-73-10',
    '632011',
    'Красный проспект, д. 18',
  ),
  department(
    'minsoc',
    'Министерство социального развития Северной области',
    'Минсоцразвития СО',
    '+7 (383) 238-75-20',
    '632007',
    'ул. Серебренниковская, д. 6',
  ),
  department(
    'minstroy',
    'Министерство строительства Северной области',
    'Минстрой СО',
    '+7 (383) 238-68-30',
    '632007',
    'ул. Фрунзе, д. 19',
  ),
  department(
    'minpriroda',
    'Министерство природных ресурсов и экологии Северной области',
    'Минприроды СО',
    '+7 (383) 296-51-40',
    '632099',
    'ул. Чаплыгина, д. 2',
  ),
  department(
    'dizo',
    'Департамент имущества и земельных отношений Северной области',
    'ДИЗО СО',
    '+7 (383) 238-61-15',
    '632004',
    'ул. Кирова, д. 3',
  ),
  department(
    'minkult',
    'Министерство культуры Северной области',
    'Минкультуры СО',
    '+7 (383) 238-63-70',
    '632011',
    'Красный проспект, д. 5',
  ),
  department(
    'minsport',
    'Министерство физической культуры и спорта Северной области',
    'Минспорт СО',
    '+7 (383) 238-64-80',
    '632099',
    'ул. Фрунзе, д. 5',
  ),
  department(
    'dtzn',
    'Департамент труда и занятости населения Северной области',
    'ДТЗН СО',
    '+7 (383) 238-69-90',
    '632099',
    'ул. Урицкого, д. 18',
  ),
  department(
    'mincifra',
    'Министерство цифрового развития и связи Северной области',
    'Минцифры СО',
    '+7 (383) 238-66-50',
    '632011',
    'Красный проспект, д. 18',
  ),
  department(
    'arhiv',
    'Управление государственной архивной службы Северной области',
    'Госархив СО',
    '+7 (383) 238-70-45',
    '632099',
    'ул. Писарева, д. 2',
    // The reading room is open on Saturdays; the office closes early on Fridays.
    week(hours('09:00', '18:00'), hours('09:00', '16:00'), hours('10:00', '15:00')),
  ),
  department(
    'gzhi',
    'Государственная жилищная инспекция Северной области',
    'ГЖИ СО',
    '+7 (383) 238-67-25',
    '632004',
    'ул. Кирова, д. 3',
  ),

  {
    code: 'uad',
    name: 'Государственное казённое учреждение Северной области «Управление автомобильных дорог»',
    shortName: 'ГКУ СО «УАД»',
    kind: 'subordinate',
    parentCode: 'mintrans',
    timeZone: NOVOSIBIRSK,
    workingHours: week(hours('08:00', '17:00'), hours('08:00', '16:00')),
    contacts: {
      phone: '+7 (383) 231-01-50',
      email: 'info@uad.severobl.test',
      address: '632032, Северная область, г. Северогорск, ул. Гоголя, д. 41',
      website: 'https://uad.severobl.test',
    },
  },
  {
    code: 'cspn',
    name: 'Государственное бюджетное учреждение Северной области «Центр социальной поддержки населения»',
    shortName: 'ГБУ СО «ЦСПН»',
    kind: 'subordinate',
    parentCode: 'minsoc',
    timeZone: NOVOSIBIRSK,
    // Receives citizens on Saturday mornings too.
    workingHours: week(hours('08:30', '17:30'), hours('08:30', '16:30'), hours('09:00', '13:00')),
    contacts: {
      phone: '+7 (383) 227-40-40',
      email: 'cspn@severobl.test',
      address: '632005, Северная область, г. Северогорск, ул. Титова, д. 12',
    },
  },
  {
    code: 'mfc',
    name: 'Государственное автономное учреждение Северной области «Многофункциональный центр организации предоставления государственных и муниципальных услуг»',
    shortName: 'ГАУ СО «МФЦ»',
    kind: 'subordinate',
    parentCode: 'mincifra',
    timeZone: NOVOSIBIRSK,
    workingHours: week(hours('08:00', '20:00'), hours('08:00', '20:00'), hours('09:00', '16:00')),
    contacts: {
      phone: '+7 (383) 202-00-55',
      email: 'mfc@severobl.test',
      address: '632000, Северная область, г. Северогорск, ул. Ленина, д. 57',
      website: 'https://mfc.severobl.test',
    },
  },

  {
    code: 'severogorsk',
    name: 'Мэрия города Северогорска',
    shortName: 'Мэрия г. Северогорска',
    kind: 'municipality',
    parentCode: 'gov',
    timeZone: NOVOSIBIRSK,
    workingHours: STANDARD,
    contacts: {
      phone: '+7 (383) 227-40-00',
      email: 'mayor@severogorsk.test',
      address: '632091, Северная область, г. Северогорск, Красный проспект, д. 34',
      website: 'https://severogorsk.test',
    },
    territoryCodes: ['51701000'],
  },
  {
    code: 'rechnoy',
    name: 'Администрация города Речного Северной области',
    shortName: 'Администрация г. Речного',
    kind: 'municipality',
    parentCode: 'gov',
    timeZone: NOVOSIBIRSK,
    workingHours: EARLY,
    contacts: {
      phone: '+7 (38341) 2-20-01',
      email: 'adm@rechnoy.test',
      address: '633010, Северная область, г. Речной, ул. Ленина, д. 33',
      website: 'https://rechnoy.test',
    },
    territoryCodes: ['51705000'],
  },
  {
    code: 'zarechinsk',
    name: 'Администрация города Заречинска Северной области',
    shortName: 'Администрация г. Заречинска',
    kind: 'municipality',
    parentCode: 'gov',
    timeZone: NOVOSIBIRSK,
    workingHours: EARLY,
    contacts: {
      phone: '+7 (38343) 2-10-10',
      email: 'adm@zarechinsk.test',
      address: '633210, Северная область, г. Заречинск, ул. Советов, д. 4',
    },
    territoryCodes: ['51710000'],
  },
  {
    code: 'berezovsky',
    name: 'Администрация Берёзовского района Северной области',
    shortName: 'Администрация Берёзовского района',
    kind: 'municipality',
    parentCode: 'gov',
    timeZone: NOVOSIBIRSK,
    workingHours: RURAL,
    contacts: {
      phone: '+7 (38345) 2-11-31',
      email: 'adm@berezovka.test',
      address: '633450, Северная область, Берёзовский район, р. п. Берёзовка, ул. Ленина, д. 10',
    },
    territoryCodes: ['51604000', '51604151', '51604402', '51604408'],
  },
  {
    code: 'kedrovsky',
    name: 'Администрация Кедровского района Северной области',
    shortName: 'Администрация Кедровского района',
    kind: 'municipality',
    parentCode: 'gov',
    timeZone: NOVOSIBIRSK,
    workingHours: RURAL,
    contacts: {
      phone: '+7 (38352) 2-12-44',
      email: 'adm@kedrovoe.test',
      address: '633520, Северная область, Кедровский район, с. Кедровое, ул. Мира, д. 2',
    },
    territoryCodes: ['51612000', '51612401', '51612404', '51612410'],
  },
  {
    code: 'ozersky',
    name: 'Администрация Озёрского района Северной области',
    shortName: 'Администрация Озёрского района',
    kind: 'municipality',
    parentCode: 'gov',
    timeZone: OMSK,
    workingHours: STANDARD,
    contacts: {
      phone: '+7 (38160) 2-15-20',
      email: 'adm@ozerny.test',
      address: '632600, Северная область, Озёрский район, р. п. Озёрный, ул. Ленина, д. 18',
    },
    territoryCodes: ['51620000', '51620151', '51620403', '51620407'],
  },
  {
    code: 'stepnoy',
    name: 'Администрация Степного района Северной области',
    shortName: 'Администрация Степного района',
    kind: 'municipality',
    parentCode: 'gov',
    timeZone: OMSK,
    workingHours: RURAL,
    contacts: {
      phone: '+7 (38170) 2-13-05',
      email: 'adm@stepnoe.test',
      address: '632700, Северная область, Степной район, с. Степное, ул. Кирова, д. 27',
    },
    territoryCodes: ['51640000', '51640401', '51640405', '51640410'],
  },
  {
    code: 'taezhny',
    name: 'Администрация Таёжного муниципального округа Северной области',
    shortName: 'Администрация Таёжного МО',
    kind: 'municipality',
    parentCode: 'gov',
    timeZone: NOVOSIBIRSK,
    // Lunch-free schedule with a short Friday, as agreed with the local trade union.
    workingHours: week(hours('08:00', '16:30'), hours('08:00', '15:00')),
    contacts: {
      phone: '+7 (38384) 2-20-20',
      email: 'adm@taezhny.test',
      address: '633840, Северная область, Таёжный муниципальный округ, р. п. Таёжный, ул. Победы, д. 1',
    },
    territoryCodes: ['51730000', '51730151', '51730406', '51730412'],
  },
];

export function findDemoOrganisation(code: string): DemoOrganisation | undefined {
  return DEMO_ORGANISATIONS.find((o) => o.code === code);
}
