import DISTRICTS from './demo-districts.json';

/**
 * Places of the fictional «Северная область» (a Novosibirsk-like Siberian region): cities, district
 * centres and villages with their streets. Territory codes are OKTMO-like 8-digit strings (the region uses
 * the unassigned OKTMO prefix 51, so no code collides with a real territory); each locality belongs to one
 * municipality in DEMO_ORGANISATIONS, whose territoryCodes list it.
 */
export const DEMO_REGION_NAME = 'Северная область';

export type DemoLocalityKind = 'city' | 'district-centre' | 'village';

export interface DemoLocality {
  territoryCode: string;
  /** Code of the municipality (DemoOrganisation.code) the locality belongs to. */
  municipalityCode: string;
  kind: DemoLocalityKind;
  /** Official short form: 'г. Северогорск', 'с. Камышлово'. */
  name: string;
  /** Bare name for road names and the like: 'Камышлово'. */
  bareName: string;
  /** Locative with preposition: 'в Северогорске', 'в с. Камышлово' (official style keeps abbreviations undeclined). */
  locative: string;
  /** Municipal district name for rural places: 'Озёрский район'. */
  districtName?: string;
  /** Locative of the district: 'в Озёрском районе'. */
  districtLocative?: string;
  /** Territory code of the district centre, for rural places. */
  districtCentreCode?: string;
  /** First five digits of the locality's postcodes; the last digit varies. */
  postcodePrefix: string;
  /** Relative share of appeals from this place (roughly its population). */
  weight: number;
  /** Street names whose form does not change after prepositions: 'ул. Ленина', 'пр. Дзержинского'. */
  streets: string[];
  /** Public transport stops, quoted: '«Площадь Калинина»' (cities only). */
  stops?: string[];
  /** Bus/trolleybus route numbers (cities only). */
  routes?: string[];
  /** Residential districts of a city, for 'в микрорайоне …'. */
  microdistricts?: string[];
  /** Health facilities in the locative: 'в городской поликлинике № 7'. */
  clinics: string[];
  /** Highest school number in the place. */
  schools: number;
  /** Highest kindergarten number in the place (0 for none numbered). */
  kindergartens: number;
}

const VILLAGE_STREETS = [
  'ул. Ленина',
  'ул. Мира',
  'ул. Гагарина',
  'ул. Кирова',
  'ул. Победы',
  'ул. Чапаева',
  'ул. Строителей',
  'ул. Механизаторов',
  'ул. Калинина',
  'ул. Свердлова',
];

/** A municipal district (demo-districts.json): its centre and villages, all in one municipality. */
interface DemoDistrict {
  municipalityCode: string;
  name: string;
  locative: string;
  /** The central district hospital, in the locative. */
  clinic: string;
  localities: RuralPlace[];
}

interface RuralPlace {
  territoryCode: string;
  kind: 'district-centre' | 'village';
  /** 'с.', 'д.', 'п.', 'р. п.' */
  abbreviation: string;
  bareName: string;
  postcodePrefix: string;
  weight: number;
}

function rural(district: DemoDistrict, centreCode: string, place: RuralPlace): DemoLocality {
  const { territoryCode, kind, bareName, postcodePrefix, weight } = place;
  const name = `${place.abbreviation} ${bareName}`;
  return {
    territoryCode,
    municipalityCode: district.municipalityCode,
    kind,
    name,
    bareName,
    locative: `в ${name}`,
    districtName: district.name,
    districtLocative: district.locative,
    districtCentreCode: centreCode,
    postcodePrefix,
    weight,
    streets: kind === 'district-centre' ? VILLAGE_STREETS : VILLAGE_STREETS.slice(0, 6),
    clinics:
      kind === 'district-centre'
        ? [district.clinic]
        : [district.clinic, `в фельдшерско-акушерском пункте ${name}`],
    schools: kind === 'district-centre' ? 3 : 1,
    kindergartens: kind === 'district-centre' ? 4 : 0,
  };
}

/** Every district's places, in the file's order; each names its district's one centre. */
const RURAL_LOCALITIES: DemoLocality[] = (DISTRICTS as DemoDistrict[]).flatMap((district) => {
  const centre = district.localities.find((l) => l.kind === 'district-centre');
  if (!centre) throw new Error(`demo district ${district.name} has no centre`);
  return district.localities.map((place) => rural(district, centre.territoryCode, place));
});

export const DEMO_LOCALITIES: readonly DemoLocality[] = [
  {
    territoryCode: '51701000',
    municipalityCode: 'severogorsk',
    kind: 'city',
    name: 'г. Северогорск',
    bareName: 'Северогорск',
    locative: 'в Северогорске',
    postcodePrefix: '63200',
    weight: 55,
    streets: [
      'ул. Ленина',
      'пр. Дзержинского',
      'пр. Карла Маркса',
      'ул. Гоголя',
      'ул. Кирова',
      'ул. Фрунзе',
      'ул. Мичурина',
      'ул. Титова',
      'ул. Зорге',
      'ул. Гагарина',
      'ул. Жуковского',
      'ул. Станиславского',
      'ул. Богдана Хмельницкого',
      'ул. Пушкина',
      'ул. Чехова',
      'ул. Маяковского',
      'ул. Некрасова',
      'ул. Ломоносова',
      'ул. Кутузова',
      'ул. Челюскинцев',
      'ул. Писарева',
      'ул. Ватутина',
      'ул. Бориса Богаткова',
      'ул. Петухова',
    ],
    stops: [
      '«Площадь Калинина»',
      '«Речной вокзал»',
      '«Театр оперы и балета»',
      '«Центральный рынок»',
      '«Улица Гоголя»',
      '«Цирк»',
      '«Площадь Маркса»',
      '«Студенческая»',
      '«Микрорайон Снегири»',
      '«Городская больница»',
      '«Автовокзал»',
      '«Октябрьская»',
    ],
    routes: ['3', '8', '13', '18', '29', '36', '45', '60', '91', '111'],
    microdistricts: ['Снегири', 'Родники', 'Южный', 'Плющиха', 'Весенний'],
    clinics: [
      'в городской поликлинике № 1',
      'в городской поликлинике № 7',
      'в городской поликлинике № 13',
      'в городской поликлинике № 18',
      'в городской поликлинике № 22',
      'в детской городской поликлинике № 4',
      'в городской клинической больнице № 2',
      'в областной клинической больнице',
    ],
    schools: 210,
    kindergartens: 480,
  },
  {
    territoryCode: '51705000',
    municipalityCode: 'rechnoy',
    kind: 'city',
    name: 'г. Речной',
    bareName: 'Речной',
    locative: 'в Речном',
    postcodePrefix: '63301',
    weight: 12,
    streets: [
      'ул. Ленина',
      'ул. Мира',
      'ул. Гагарина',
      'ул. Победы',
      'ул. Кирова',
      'ул. Островского',
      'ул. Энгельса',
      'ул. Свердлова',
      'ул. Максима Горького',
      'ул. Рогачёва',
    ],
    stops: [
      '«Вокзал»',
      '«Площадь Ленина»',
      '«Универмаг»',
      '«Микрорайон Южный»',
      '«Больничный городок»',
      '«Рынок»',
    ],
    routes: ['1', '2', '5', '7', '12'],
    microdistricts: ['Южный', 'Северный', 'Черёмушки'],
    clinics: [
      'в Речной городской больнице',
      'в городской поликлинике № 2 г. Речного',
      'в детской поликлинике г. Речного',
    ],
    schools: 14,
    kindergartens: 22,
  },
  {
    territoryCode: '51710000',
    municipalityCode: 'zarechinsk',
    kind: 'city',
    name: 'г. Заречинск',
    bareName: 'Заречинск',
    locative: 'в Заречинске',
    postcodePrefix: '63321',
    weight: 8,
    streets: [
      'ул. Ленина',
      'ул. Советов',
      'ул. Комарова',
      'ул. Пушкина',
      'ул. Чкалова',
      'ул. Маяковского',
      'ул. Строителей',
      'ул. Карла Либкнехта',
    ],
    stops: ['«Центр»', '«Проходная завода»', '«Стадион»', '«Площадь Победы»', '«Поликлиника»'],
    routes: ['1', '3', '4', '10'],
    microdistricts: ['Индустриальный', 'Ясный'],
    clinics: ['в Заречинской городской больнице', 'в поликлинике Заречинской городской больницы'],
    schools: 9,
    kindergartens: 15,
  },
  ...RURAL_LOCALITIES,
];

export function findLocality(territoryCode: string): DemoLocality | undefined {
  return DEMO_LOCALITIES.find((l) => l.territoryCode === territoryCode);
}
