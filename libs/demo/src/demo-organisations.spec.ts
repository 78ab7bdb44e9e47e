import { DEMO_LOCALITIES } from './demo-geography';
import { DEMO_ORGANISATIONS, type DemoOrganisation } from './demo-organisations';

const byCode = new Map(DEMO_ORGANISATIONS.map((o) => [o.code, o]));

function ofKind(kind: DemoOrganisation['kind']): DemoOrganisation[] {
  return DEMO_ORGANISATIONS.filter((o) => o.kind === kind);
}

describe('DEMO_ORGANISATIONS', () => {
  it('has unique short latin codes', () => {
    const codes = DEMO_ORGANISATIONS.map((o) => o.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z][a-z0-9-]{1,15}$/);
  });

  it('forms one tree under a single region root, with the ЦУР right under it', () => {
    const roots = DEMO_ORGANISATIONS.filter((o) => o.parentCode === undefined);
    expect(roots).toHaveLength(1);
    expect(roots[0].kind).toBe('region');
    expect(ofKind('region')).toHaveLength(1);

    const cur = byCode.get('cur');
    expect(cur?.kind).toBe('management-centre');
    expect(cur?.parentCode).toBe(roots[0].code);

    for (const org of DEMO_ORGANISATIONS) {
      const seen = new Set<string>();
      let current: DemoOrganisation | undefined = org;
      while (current?.parentCode !== undefined) {
        expect(seen.has(current.code)).toBe(false);
        seen.add(current.code);
        const parent = byCode.get(current.parentCode);
        expect(parent).toBeDefined();
        current = parent;
      }
      expect(current?.code).toBe(roots[0].code);
    }
  });

  it('has a dozen departments, subordinate bodies under departments and 6–8 municipalities', () => {
    expect(ofKind('department').length).toBeGreaterThanOrEqual(12);
    const subordinates = ofKind('subordinate');
    expect(subordinates.length).toBeGreaterThanOrEqual(2);
    for (const s of subordinates) expect(byCode.get(s.parentCode!)?.kind).toBe('department');
    const municipalities = ofKind('municipality');
    expect(municipalities.length).toBeGreaterThanOrEqual(6);
    expect(municipalities.length).toBeLessThanOrEqual(8);
  });

  it('gives territory codes (8 digits, unique across the region) only to municipalities', () => {
    const all: string[] = [];
    for (const org of DEMO_ORGANISATIONS) {
      if (org.kind !== 'municipality') {
        expect(org.territoryCodes).toBeUndefined();
        continue;
      }
      expect(org.territoryCodes?.length).toBeGreaterThan(0);
      for (const code of org.territoryCodes!) expect(code).toMatch(/^\d{8}$/);
      all.push(...org.territoryCodes!);
    }
    expect(new Set(all).size).toBe(all.length);
  });

  it('lists every locality in its own municipality', () => {
    for (const locality of DEMO_LOCALITIES) {
      const municipality = byCode.get(locality.municipalityCode);
      expect(municipality?.kind).toBe('municipality');
      expect(municipality?.territoryCodes).toContain(locality.territoryCode);
    }
  });

  it('gives each rural place a known kind and its district a centre in the same municipality', () => {
    const kinds = new Set(DEMO_LOCALITIES.map((l) => l.kind));
    expect([...kinds].sort()).toEqual(['city', 'district-centre', 'village']);
    for (const place of DEMO_LOCALITIES.filter((l) => l.kind !== 'city')) {
      const centre = DEMO_LOCALITIES.find((l) => l.territoryCode === place.districtCentreCode);
      expect(centre).toMatchObject({ kind: 'district-centre', municipalityCode: place.municipalityCode });
    }
  });

  it('uses valid IANA time zones, with at least one outside Novosibirsk time', () => {
    for (const { timeZone } of DEMO_ORGANISATIONS) {
      expect(() => new Intl.DateTimeFormat(undefined, { timeZone })).not.toThrow();
    }
    expect(DEMO_ORGANISATIONS.some((o) => o.timeZone !== 'Asia/Novosibirsk')).toBe(true);
  });

  it('has well-formed working hours on ISO weekdays', () => {
    for (const org of DEMO_ORGANISATIONS) {
      const days = Object.keys(org.workingHours).map(Number);
      expect(days.length).toBeGreaterThanOrEqual(5);
      for (const day of days) {
        expect(day).toBeGreaterThanOrEqual(1);
        expect(day).toBeLessThanOrEqual(7);
        const hours = org.workingHours[day]!;
        expect(hours.start).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
        expect(hours.end).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
        expect(hours.start < hours.end).toBe(true);
      }
    }
  });

  it('keeps contact e-mails and websites on the reserved .test domain', () => {
    for (const { contacts } of DEMO_ORGANISATIONS) {
      if (contacts.email) expect(contacts.email).toMatch(/^[a-z0-9.-]+@[a-z0-9.-]+\.test$/);
      if (contacts.website) expect(contacts.website).toMatch(/^https:\/\/[a-z0-9.-]+\.test$/);
    }
  });
});
