import { DEMO_ORGANISATIONS } from './demo-organisations';
import { demoStaffName, feminineSurname, genitiveSurname, transliterate } from './demo-people';

describe('demo people', () => {
  it('derives feminine surnames', () => {
    expect(feminineSurname('Иванов')).toBe('Иванова');
    expect(feminineSurname('Ильин')).toBe('Ильина');
    expect(feminineSurname('Вишневский')).toBe('Вишневская');
    expect(feminineSurname('Белецкий')).toBe('Белецкая');
    expect(feminineSurname('Толстой')).toBe('Толстая');
    expect(feminineSurname('Шевченко')).toBe('Шевченко');
    expect(feminineSurname('Черных')).toBe('Черных');
  });

  it('puts surnames in the genitive', () => {
    expect(genitiveSurname('Иванов', 'male')).toBe('Иванова');
    expect(genitiveSurname('Иванова', 'female')).toBe('Ивановой');
    expect(genitiveSurname('Вишневский', 'male')).toBe('Вишневского');
    expect(genitiveSurname('Вишневская', 'female')).toBe('Вишневской');
    expect(genitiveSurname('Шевченко', 'male')).toBe('Шевченко');
  });

  it('transliterates to latin', () => {
    expect(transliterate('Щукина Юлия')).toBe('shchukina yuliya');
  });

  it('names a seeded clerk as a person with the organisation in brackets, never «Специалист Правительство СО»', () => {
    const names = DEMO_ORGANISATIONS.map((o) => demoStaffName(`clerk-${o.code}`, o.shortName));
    for (const [i, name] of names.entries()) {
      const org = DEMO_ORGANISATIONS[i].shortName;
      expect(name).toMatch(/^[А-ЯЁ][а-яё]+(-[А-ЯЁ][а-яё]+)? [А-ЯЁ]\. [А-ЯЁ]\. \(/);
      expect(name.endsWith(`(${org})`)).toBe(true);
      expect(name).not.toContain(`Специалист ${org}`);
    }
    expect(demoStaffName('clerk-gov', 'Правительство СО')).toBe(names[0]);
    expect(demoStaffName('clerk-gov', 'Правительство СО')).toBe(
      demoStaffName('clerk-gov', 'Правительство СО'),
    );
  });
});
