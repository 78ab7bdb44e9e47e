import PHRASES from './demo-phrases.json';
import { countRu } from '@inbox/common';
import {
  APPEAL_SCENARIOS,
  type AppealScenario,
  type ScenarioSeason,
  type ScenarioTone,
} from './demo-appeal-scenarios';
import { DEMO_LOCALITIES, DEMO_REGION_NAME, findLocality, type DemoLocality } from './demo-geography';
import {
  genitiveSurname,
  randomDisplayName,
  randomEmail,
  randomMobile,
  randomPerson,
  type DemoPerson,
} from './demo-people';
import { DemoRandom } from './demo-random';
import { DEMO_TOPICS, type DemoTopic } from './demo-topics';

export type DemoChannel = 'website' | 'pos' | 'email' | 'vk' | 'ok' | 'telegram' | 'medo' | 'operator';

export interface DemoAppealAuthor {
  externalId?: string;
  surname?: string;
  firstName?: string;
  patronymic?: string;
  displayName?: string;
  email?: string;
  phone?: string;
  postalAddress?: string;
}

/**
 * The applicant as an operator learns them when calling back or answering in the channel: the full name and a
 * phone, which line 2 needs (59-ФЗ) and an item from a messenger, an e-mail or a form often lacks.
 */
export interface DemoApplicant {
  surname: string;
  firstName: string;
  patronymic: string;
  phone: string;
}

export interface DemoAppeal {
  channel: DemoChannel;
  /** Unique per channel and stable for a seed. */
  externalId: string;
  /** ISO 8601 instant within the 40 days before `now`. */
  receivedAt: string;
  regime: 'message' | 'appeal';
  fastTrack: boolean;
  author: DemoAppealAuthor;
  /** Who wrote, in full: what the item's card can be completed with (the author gives only part of it). */
  applicant: DemoApplicant;
  subject?: string;
  text: string;
  /** Where the problem is, when the text names a place. */
  address?: string;
  territoryCode?: string;
  topicCode: string;
  subtopicCode: string;
}

export interface GenerateDemoAppealsOptions {
  count: number;
  seed?: number;
  now: Date;
}

export const DEFAULT_DEMO_SEED = 20250301;

/** Share of urgent items (no heating in frost, open manholes, dangerous trees…). */
const FAST_TRACK_SHARE = 0.08;
const SPREAD_MS = 40 * 24 * 3600 * 1000;
/** Asia/Novosibirsk has been UTC+7 without DST since 2016; good enough for a demo's time-of-day profile. */
const REGION_OFFSET_MS = 7 * 3600 * 1000;

const CHANNEL_WEIGHTS: Record<DemoChannel, number> = {
  website: 27,
  pos: 22,
  email: 10,
  vk: 12,
  ok: 5,
  telegram: 10,
  medo: 5,
  operator: 9,
};
const CHANNELS = Object.keys(CHANNEL_WEIGHTS) as DemoChannel[];

/** Relative share of each top-level topic: housing and roads dominate any region's inbox. */
const TOPIC_WEIGHTS: Record<string, number> = {
  housing: 26,
  roads: 16,
  improvement: 14,
  health: 9,
  education: 7,
  social: 7,
  ecology: 4,
  construction: 4,
  property: 3,
  'culture-sport': 3,
  digital: 4,
  other: 3,
};

/** Local activity by hour of day (0–23): citizens write mostly in the daytime and in the evening. */
const HOUR_PROFILE = [
  0.08, 0.05, 0.04, 0.04, 0.05, 0.08, 0.2, 0.45, 0.7, 1, 1, 1, 1, 0.9, 1, 1, 1, 1, 0.85, 0.85, 0.85, 0.7, 0.5,
  0.25,
];

/** The generator's Russian phrase lists (demo-phrases.json), by tone where the tone decides. */
const {
  MONTHS_NOMINATIVE,
  MONTHS_GENITIVE,
  DURATIONS,
  WEEKS_AGO,
  MONTHS_ARREARS,
  YEARS_AGO,
  YEARS_DURATION,
  MANAGEMENT_COMPANIES,
  EMPLOYERS,
  DEVELOPERS,
  SPORTS,
  SERVICES,
  FORMER_EMPLOYERS,
  COMPLAINT_TOPICS,
  FEDERAL_SENDERS,
  FORMAL_OPENERS,
  FORMAL_CLOSERS,
  SOCIAL_OPENERS,
  SOCIAL_CLOSERS,
  OPERATOR_PREFIXES,
  OPERATOR_CLOSERS,
  EMAIL_SUBJECTS,
} = PHRASES;

interface Citizen {
  person: DemoPerson;
  omitsPatronymic: boolean;
  home: { locality: DemoLocality; postcode: string; street: string; houseNo: string; flat?: string };
  email: string;
  phone: string;
  ids: { esia: string; vk: string; ok: string; telegram: string };
  profileName: string;
  messengerName: string;
}

interface Draft {
  index: number;
  channel: DemoChannel;
  at: number;
  citizen: Citizen;
  appeal: Omit<DemoAppeal, 'channel' | 'externalId' | 'receivedAt'>;
}

const TOPIC_BY_CODE = new Map<string, DemoTopic>(DEMO_TOPICS.map((t) => [t.code, t]));

function parentTopicOf(subtopicCode: string): DemoTopic {
  const subtopic = TOPIC_BY_CODE.get(subtopicCode);
  const parent = subtopic?.parentCode ? TOPIC_BY_CODE.get(subtopic.parentCode) : undefined;
  if (!subtopic || !parent) throw new Error(`Demo scenario refers to unknown subtopic ${subtopicCode}`);
  return parent;
}

function localDate(at: number): Date {
  return new Date(at + REGION_OFFSET_MS);
}

/** Fixed Russian public holidays (ТК РФ ст. 112), month-day; transfers are ignored in demo data. */
const PUBLIC_HOLIDAYS = new Set([
  '01-01',
  '01-02',
  '01-03',
  '01-04',
  '01-05',
  '01-06',
  '01-07',
  '01-08',
  '02-23',
  '03-08',
  '05-01',
  '05-09',
  '06-12',
  '11-04',
]);

function isPublicHoliday(local: Date): boolean {
  return PUBLIC_HOLIDAYS.has(`${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`);
}

function inSeason(season: ScenarioSeason | undefined, month: number): boolean {
  switch (season) {
    case undefined:
      return true;
    case 'heating':
      return month >= 10 || month <= 4;
    case 'winter':
      return month >= 11 || month <= 3;
    case 'summer':
      return month >= 5 && month <= 9;
    case 'fire':
      return month >= 4 && month <= 9;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Lower-cases the first letter unless the text starts with an abbreviation (ФАП, МФЦ, ООО). */
function lowerFirst(text: string): string {
  return text.length > 1 && text[1] === text[1].toLowerCase()
    ? text.charAt(0).toLowerCase() + text.slice(1)
    : text;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function fullName(citizen: Citizen): string {
  const { surname, firstName, patronymic } = citizen.person;
  return citizen.omitsPatronymic ? `${surname} ${firstName}` : `${surname} ${firstName} ${patronymic}`;
}

function postalAddress(citizen: Citizen): string {
  const { locality, postcode, street, houseNo, flat } = citizen.home;
  const district = locality.districtName ? `${locality.districtName}, ` : '';
  const flatPart = flat ? `, кв. ${flat}` : '';
  return `${postcode}, ${DEMO_REGION_NAME}, ${district}${locality.name}, ${street}, д. ${houseNo}${flatPart}`;
}

function randomHouseNo(rng: DemoRandom, locality: DemoLocality): string {
  if (locality.kind !== 'city') return String(rng.int(1, 70));
  const n = rng.int(1, 180);
  const r = rng.float();
  if (r < 0.08) return `${n}/${rng.int(1, 3)}`;
  if (r < 0.15) return `${n} к${rng.int(1, 4)}`;
  if (r < 0.2) return `${n}${rng.pick(['а', 'б'])}`;
  return String(n);
}

function randomFlat(rng: DemoRandom, locality: DemoLocality): string | undefined {
  if (locality.kind === 'city') return String(rng.int(1, 220));
  return rng.chance(0.35) ? String(rng.int(1, 16)) : undefined;
}

function pickLocality(rng: DemoRandom, candidates: readonly DemoLocality[]): DemoLocality {
  return rng.weighted(candidates, (l) => l.weight);
}

class UniqueIds {
  private readonly used = new Set<string>();

  constructor(private readonly rng: DemoRandom) {}

  next(length: number): string {
    for (;;) {
      const id = this.rng.digits(length);
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

/** Placeholders filled into a scenario template; each is computed once per appeal. */
class TemplateContext {
  private readonly values = new Map<string, string>();
  readonly used = new Set<string>();
  private street?: string;

  constructor(
    private readonly rng: DemoRandom,
    readonly locality: DemoLocality,
    private readonly citizen: Citizen,
    private readonly at: Date,
    private readonly useHomeAddress: boolean,
  ) {}

  render(template: string): string {
    return template.replace(/\{([^{}]+)\}/g, (_match, key: string) => {
      if (key.startsWith('g:')) {
        const [masculine, feminine] = key.slice(2).split('|');
        return this.citizen.person.gender === 'male' ? masculine : feminine;
      }
      const lower = key.charAt(0).toLowerCase() + key.slice(1);
      const value = this.value(lower);
      return key === lower ? value : capitalise(value);
    });
  }

  private value(key: string): string {
    this.used.add(key);
    let value = this.values.get(key);
    if (value === undefined) {
      value = this.compute(key);
      this.values.set(key, value);
    }
    return value;
  }

  private compute(key: string): string {
    const { rng, locality } = this;
    const year = this.at.getUTCFullYear();
    const month = this.at.getUTCMonth();
    switch (key) {
      case 'street':
        this.street = this.useHomeAddress ? this.citizen.home.street : rng.pick(locality.streets);
        return this.street;
      case 'street2': {
        const first = this.value('street');
        return rng.pick(locality.streets.filter((s) => s !== first));
      }
      case 'houseNo':
        return this.useHomeAddress ? this.citizen.home.houseNo : randomHouseNo(rng, locality);
      case 'house':
        return `${this.value('street')}, ${this.value('houseNo')}`;
      case 'flat':
        return (this.useHomeAddress ? this.citizen.home.flat : undefined) ?? String(rng.int(1, 120));
      case 'loc':
        return locality.name;
      case 'locIn':
        return locality.locative;
      case 'stop':
        return rng.pick(this.require(locality.stops, key));
      case 'route':
        return rng.pick(this.require(locality.routes, key));
      case 'micro':
        return rng.pick(this.require(locality.microdistricts, key));
      case 'clinic':
        return rng.pick(locality.clinics);
      case 'village':
        this.requireRural(key);
        return locality.name;
      case 'district':
        return this.require(locality.districtName, key);
      case 'districtIn':
        return this.require(locality.districtLocative, key);
      case 'districtCentre':
        return this.centre(key).name;
      case 'road': {
        const centre = this.centre(key);
        return centre === locality
          ? `«${locality.bareName} — Северогорск»`
          : `«${locality.bareName} — ${centre.bareName}»`;
      }
      case 'schoolNo':
        return String(rng.int(1, locality.schools));
      case 'kgNo':
        return String(rng.int(1, Math.max(1, locality.kindergartens)));
      case 'kgNo2':
        return String(Number(this.value('kgNo')) + rng.int(1, 40));
      case 'duration':
        return rng.pick(DURATIONS);
      case 'weeksAgo':
        return rng.pick(WEEKS_AGO);
      case 'monthsArrears':
        return rng.pick(MONTHS_ARREARS);
      case 'yearsAgo':
        return rng.pick(YEARS_AGO);
      case 'yearsDuration':
        return rng.pick(YEARS_DURATION);
      case 'uk':
        return rng.pick(MANAGEMENT_COMPANIES);
      case 'employer':
        return rng.pick(EMPLOYERS);
      case 'developer':
        return rng.pick(DEVELOPERS);
      case 'sport':
        return rng.pick(SPORTS);
      case 'service':
        return rng.pick(SERVICES);
      case 'formerEmployer':
        return rng.pick(FORMER_EMPLOYERS);
      case 'complaintTopic':
        return rng.pick(COMPLAINT_TOPICS);
      case 'temp':
        return String(rng.int(14, 17));
      case 'coldTemp':
        return String(rng.int(9, 12));
      case 'frost':
        return String(rng.int(18, 36));
      case 'minutes':
        return String(rng.int(8, 18) * 5);
      case 'residents':
        return String(rng.int(3, 5));
      case 'yearPlan':
        return String(year - rng.int(1, 2));
      case 'yearPast':
        return String(year - rng.int(2, 9));
      case 'monthName':
        return MONTHS_NOMINATIVE[(month + 11) % 12];
      case 'sinceMonth':
        return MONTHS_GENITIVE[(month + 12 - rng.int(1, 3)) % 12];
      case 'pensionerAge': {
        const age = rng.int(67, 89);
        return countRu(age, 'год', 'года', 'лет');
      }
      case 'archiveYears': {
        const from = rng.int(1976, 1992);
        return `${from}–${from + rng.int(3, 9)}`;
      }
      default:
        throw new Error(`Unknown placeholder {${key}} in a demo appeal template`);
    }
  }

  private require<T>(value: T | undefined, key: string): T {
    if (value === undefined)
      throw new Error(`Placeholder {${key}} is not available in ${this.locality.name}`);
    return value;
  }

  private requireRural(key: string): void {
    if (this.locality.kind === 'city') throw new Error(`Placeholder {${key}} needs a rural place`);
  }

  private centre(key: string): DemoLocality {
    this.requireRural(key);
    return this.require(findLocality(this.require(this.locality.districtCentreCode, key)), key);
  }

  /** The problem's address as a geocoder would want it, when the text names a place. */
  address(): string | undefined {
    const { locality } = this;
    const district = locality.districtName ? `${locality.districtName}, ` : '';
    const prefix = `${DEMO_REGION_NAME}, ${district}${locality.name}`;
    if (this.used.has('house'))
      return `${prefix}, ${this.values.get('street')}, д. ${this.values.get('houseNo')}`;
    if (this.used.has('stop')) return `${prefix}, остановка ${this.values.get('stop')}`;
    if (this.used.has('street')) return `${prefix}, ${this.values.get('street')}`;
    if (this.used.has('village') || this.used.has('road')) return prefix;
    return undefined;
  }

  /** True when the text names (or implies) the place of the problem. */
  namesPlace(): boolean {
    return [
      'house',
      'street',
      'stop',
      'village',
      'road',
      'locIn',
      'loc',
      'clinic',
      'micro',
      'district',
      'districtIn',
    ].some((key) => this.used.has(key));
  }
}

class AppealGenerator {
  private readonly rng: DemoRandom;
  private readonly ids: UniqueIds;
  private readonly citizensByChannel = new Map<DemoChannel, Citizen[]>();

  constructor(
    seed: number,
    private readonly now: Date,
  ) {
    this.rng = new DemoRandom(seed);
    this.ids = new UniqueIds(this.rng);
  }

  generate(count: number): DemoAppeal[] {
    const drafts: Draft[] = [];
    for (let index = 0; index < count; index++) {
      const channel = this.rng.weighted(CHANNELS, (c) => CHANNEL_WEIGHTS[c]);
      const at = this.sampleInstant(channel);
      const citizen = this.citizenFor(channel);
      drafts.push({ index, channel, at, citizen, appeal: this.compose(channel, at, citizen) });
    }
    drafts.sort((a, b) => a.at - b.at || a.index - b.index);
    const nextId = this.externalIdFactory();
    return drafts.map((draft) => ({
      channel: draft.channel,
      externalId: nextId(draft),
      receivedAt: new Date(draft.at).toISOString(),
      ...draft.appeal,
    }));
  }

  /** An instant in the 40 days before `now`, following the channel's time-of-day profile. */
  private sampleInstant(channel: DemoChannel): number {
    const end = this.now.getTime() - 60_000;
    let at = end;
    for (let attempt = 0; attempt < 500; attempt++) {
      at = end - Math.floor(this.rng.float() * (SPREAD_MS - 60_000));
      at -= at % 1000;
      const local = localDate(at);
      const hour = local.getUTCHours();
      const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
      let weight: number;
      if (channel === 'medo') weight = !weekend && !isPublicHoliday(local) && hour >= 9 && hour < 18 ? 1 : 0;
      else if (channel === 'operator')
        weight = weekend ? (hour >= 10 && hour < 18 ? 0.4 : 0) : hour >= 8 && hour < 20 ? 1 : 0;
      else weight = HOUR_PROFILE[hour] * (weekend ? 0.7 : 1);
      if (this.rng.float() < weight) return at;
    }
    return at;
  }

  private citizenFor(channel: DemoChannel): Citizen {
    const pool = this.citizensByChannel.get(channel) ?? [];
    this.citizensByChannel.set(channel, pool);
    // Some people write again through the same channel: useful for duplicate and follow-up handling.
    if (pool.length > 5 && this.rng.chance(0.08)) return this.rng.pick(pool);
    const citizen = this.newCitizen();
    pool.push(citizen);
    return citizen;
  }

  private newCitizen(): Citizen {
    const { rng } = this;
    const person = randomPerson(rng);
    const locality = pickLocality(rng, DEMO_LOCALITIES);
    return {
      person,
      omitsPatronymic: rng.chance(0.05),
      home: {
        locality,
        postcode: `${locality.postcodePrefix}${locality.kind === 'city' ? rng.int(1, 9) : 0}`,
        street: rng.pick(locality.streets),
        houseNo: randomHouseNo(rng, locality),
        flat: randomFlat(rng, locality),
      },
      email: randomEmail(rng, person),
      phone: randomMobile(rng),
      ids: {
        esia: this.ids.next(10),
        vk: this.ids.next(9),
        ok: this.ids.next(12),
        telegram: this.ids.next(10),
      },
      profileName: randomDisplayName(rng, person, 'profile'),
      messengerName: randomDisplayName(rng, person, 'messenger'),
    };
  }

  private compose(channel: DemoChannel, at: number, citizen: Citizen): Draft['appeal'] {
    const { rng } = this;
    const local = localDate(at);
    const month = local.getUTCMonth() + 1;
    const fastTrack = rng.chance(FAST_TRACK_SHARE);
    const scenario = this.pickScenario(fastTrack, month);
    const locality = this.localityFor(scenario, citizen);
    const useHomeAddress = locality === citizen.home.locality && rng.chance(0.5);
    const context = new TemplateContext(rng, locality, citizen, local, useHomeAddress);
    const body = context.render(rng.pick(scenario.texts));
    const parent = parentTopicOf(scenario.subtopicCode);

    const appeal: Draft['appeal'] = {
      regime: this.regimeFor(channel),
      fastTrack,
      author: this.authorFor(channel, citizen),
      applicant: {
        surname: citizen.person.surname,
        firstName: citizen.person.firstName,
        patronymic: citizen.person.patronymic,
        phone: citizen.phone,
      },
      text: this.textFor(channel, scenario.tone, body, citizen, local),
      topicCode: parent.code,
      subtopicCode: scenario.subtopicCode,
    };
    const subject = this.subjectFor(channel, scenario, citizen);
    if (subject) appeal.subject = subject;
    const address = context.address();
    if (address) appeal.address = address;
    // Forms (website, ПОС) and registrars (operator, МЭДО) always ask for the municipality.
    const formChannel =
      channel === 'website' || channel === 'pos' || channel === 'operator' || channel === 'medo';
    if (context.namesPlace()) appeal.territoryCode = locality.territoryCode;
    else if (formChannel) appeal.territoryCode = citizen.home.locality.territoryCode;
    return appeal;
  }

  private pickScenario(fastTrack: boolean, month: number): AppealScenario {
    const eligible = APPEAL_SCENARIOS.filter(
      (s) => (s.fastTrack ?? false) === fastTrack && inSeason(s.season, month),
    );
    const perTopic = new Map<string, number>();
    for (const s of eligible) {
      const topic = parentTopicOf(s.subtopicCode).code;
      perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
    }
    return this.rng.weighted(eligible, (s) => {
      const topic = parentTopicOf(s.subtopicCode).code;
      return (TOPIC_WEIGHTS[topic] ?? 1) / (perTopic.get(topic) ?? 1);
    });
  }

  private localityFor(scenario: AppealScenario, citizen: Citizen): DemoLocality {
    const fits = (l: DemoLocality): boolean => {
      switch (scenario.place) {
        case 'any':
          return true;
        case 'city':
          return l.kind === 'city';
        case 'rural':
          return l.kind !== 'city';
        case 'village':
          return l.kind === 'village';
      }
    };
    if (fits(citizen.home.locality) && this.rng.chance(0.7)) return citizen.home.locality;
    return pickLocality(this.rng, DEMO_LOCALITIES.filter(fits));
  }

  private regimeFor(channel: DemoChannel): DemoAppeal['regime'] {
    switch (channel) {
      case 'website':
      case 'medo':
        return 'appeal';
      case 'pos':
        return this.rng.chance(0.15) ? 'appeal' : 'message';
      case 'operator':
        return this.rng.chance(0.6) ? 'appeal' : 'message';
      default:
        return 'message';
    }
  }

  private authorFor(channel: DemoChannel, citizen: Citizen): DemoAppealAuthor {
    const { rng } = this;
    const { person } = citizen;
    const names = (): DemoAppealAuthor => ({
      surname: person.surname,
      firstName: person.firstName,
      ...(citizen.omitsPatronymic ? {} : { patronymic: person.patronymic }),
    });
    switch (channel) {
      case 'website':
        return {
          ...names(),
          email: citizen.email,
          ...(rng.chance(0.6) ? { phone: citizen.phone } : {}),
          ...(rng.chance(0.7) ? { postalAddress: postalAddress(citizen) } : {}),
        };
      case 'pos':
        return {
          externalId: citizen.ids.esia,
          ...names(),
          ...(rng.chance(0.8) ? { email: citizen.email } : {}),
          ...(rng.chance(0.9) ? { phone: citizen.phone } : {}),
          ...(rng.chance(0.45) ? { postalAddress: postalAddress(citizen) } : {}),
        };
      case 'email':
        return {
          externalId: citizen.email,
          email: citizen.email,
          ...(rng.chance(0.7) ? { displayName: `${person.firstName} ${person.surname}` } : {}),
        };
      case 'vk':
      case 'ok':
        return {
          externalId: channel === 'vk' ? citizen.ids.vk : citizen.ids.ok,
          displayName: citizen.profileName,
          ...(rng.chance(0.3) ? { surname: person.surname, firstName: person.firstName } : {}),
        };
      case 'telegram':
        return { externalId: citizen.ids.telegram, displayName: citizen.messengerName };
      case 'medo':
        return {
          ...names(),
          postalAddress: postalAddress(citizen),
          ...(rng.chance(0.3) ? { email: citizen.email } : {}),
        };
      case 'operator':
        return {
          ...names(),
          phone: citizen.phone,
          ...(rng.chance(0.4) ? { postalAddress: postalAddress(citizen) } : {}),
        };
    }
  }

  private textFor(
    channel: DemoChannel,
    tone: ScenarioTone,
    body: string,
    citizen: Citizen,
    local: Date,
  ): string {
    const { rng } = this;
    const join = (...parts: Array<string | undefined>): string => parts.filter(Boolean).join(' ');
    switch (channel) {
      case 'website':
      case 'pos':
        return join(
          rng.chance(0.4) ? rng.pick(FORMAL_OPENERS) : undefined,
          body,
          rng.chance(0.6) ? rng.pick(FORMAL_CLOSERS[tone]) : undefined,
        );
      case 'email': {
        const text = join(
          rng.chance(0.6) ? rng.pick(FORMAL_OPENERS) : undefined,
          body,
          rng.chance(0.5) ? rng.pick(FORMAL_CLOSERS[tone]) : undefined,
        );
        if (!rng.chance(0.5)) return text;
        const phone = rng.chance(0.4) ? `\nТел.: ${citizen.phone}` : '';
        return `${text}\n\nС уважением,\n${fullName(citizen)}${phone}`;
      }
      case 'vk':
      case 'ok':
      case 'telegram':
        return join(
          rng.chance(0.35) ? rng.pick(SOCIAL_OPENERS[tone]) : undefined,
          body,
          rng.chance(0.4) ? rng.pick(SOCIAL_CLOSERS[tone]) : undefined,
        );
      case 'operator': {
        const prefix = rng.pick(OPERATOR_PREFIXES);
        return join(
          `${prefix}${prefix.endsWith(': ') ? lowerFirst(body) : body}`,
          rng.chance(0.5) ? rng.pick(OPERATOR_CLOSERS[tone]) : undefined,
        );
      }
      case 'medo': {
        const { person } = citizen;
        const sent = new Date(local.getTime() - rng.int(1, 6) * 24 * 3600 * 1000);
        const sentOn = `${pad(sent.getUTCDate(), 2)}.${pad(sent.getUTCMonth() + 1, 2)}.${sent.getUTCFullYear()}`;
        const citizenWord = person.gender === 'male' ? 'гражданина' : 'гражданки';
        const who = `${genitiveSurname(person.surname, person.gender)} ${person.firstName[0]}. ${person.patronymic[0]}.`;
        const reference = `${rng.pick(['А26-', 'П8-', 'ОГ-'])}${rng.int(10000, 99999)}`;
        return (
          `${rng.pick(FEDERAL_SENDERS)} направляет для рассмотрения по компетенции обращение ${citizenWord} ${who} ` +
          `(вх. № ${reference} от ${sentOn}).\n\nСодержание обращения: ${body}`
        );
      }
    }
  }

  private subjectFor(channel: DemoChannel, scenario: AppealScenario, citizen: Citizen): string | undefined {
    switch (channel) {
      case 'website':
      case 'operator':
        return scenario.subject;
      case 'pos':
        return TOPIC_BY_CODE.get(scenario.subtopicCode)?.name;
      case 'email':
        if (scenario.tone === 'gratitude') return 'Благодарность';
        return this.rng.chance(0.6) ? scenario.subject : this.rng.pick(EMAIL_SUBJECTS);
      case 'medo': {
        const { person } = citizen;
        return `О направлении обращения ${genitiveSurname(person.surname, person.gender)} ${person.firstName[0]}. ${person.patronymic[0]}.`;
      }
      default:
        return undefined;
    }
  }

  /** Channel ids are handed out in time order, so they grow the way real channel ids do. */
  private externalIdFactory(): (draft: Draft) => string {
    const { rng } = this;
    let website = rng.int(1000, 20000);
    let pos = 2_100_000_000 + rng.int(0, 300_000_000);
    let email = 0;
    const vkGroup = rng.digits(9);
    let vk = rng.int(10_000, 90_000);
    const okPrefix = rng.digits(6);
    let ok = rng.int(1_000_000, 9_000_000);
    let telegram = rng.int(100, 5000);
    let medo = rng.int(0x1000, 0xffff);
    let operator = rng.int(100, 900);
    return (draft) => {
      const d = new Date(draft.at);
      const ymd = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
      switch (draft.channel) {
        case 'website':
          website += rng.int(1, 4);
          return `SITE-${d.getUTCFullYear()}-${pad(website, 6)}`;
        case 'pos':
          pos += rng.int(1, 5000);
          return String(pos);
        case 'email': {
          email += 1;
          const hms = `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}`;
          const domain = draft.citizen.email.split('@')[1];
          return `<${ymd}${hms}.${email.toString(36)}${rng.hex(8)}@${domain}>`;
        }
        case 'vk':
          vk += rng.int(1, 30);
          return `-${vkGroup}_${vk}`;
        case 'ok':
          ok += rng.int(1, 500);
          return `${okPrefix}${pad(ok, 9)}`;
        case 'telegram':
          telegram += rng.int(1, 3);
          return `${draft.citizen.ids.telegram}:${telegram}`;
        case 'medo': {
          medo += rng.int(1, 7);
          // A GUID as МЭДО uses them; the counter in the last group keeps it unique.
          const variant = rng.pick(['8', '9', 'a', 'b']);
          const tail = `${rng.hex(6)}${medo.toString(16).padStart(6, '0')}`;
          return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${variant}${rng.hex(3)}-${tail}`.toUpperCase();
        }
        case 'operator':
          operator += 1;
          return `CC-${ymd}-${pad(operator, 5)}`;
      }
    };
  }
}

/**
 * Deterministic demo inbox: `count` items over the 40 days before `now`, realistic Russian texts from every
 * channel, about 8 % fast-track. The same seed and `now` always give the same items (sorted by receivedAt).
 */
export function generateDemoAppeals(options: GenerateDemoAppealsOptions): DemoAppeal[] {
  const { count, seed = DEFAULT_DEMO_SEED, now } = options;
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`count must be a non-negative integer, got ${count}`);
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new Error('now must be a valid Date');
  return new AppealGenerator(seed, now).generate(count);
}
