import { parseImportLine } from './import-line';

const good = {
  channel: 'operator',
  externalId: 'old-2026-17',
  registeredAt: '2026-03-02T10:15:00+07:00',
  organisation: 'minzhkh',
  regime: 'appeal',
  fastTrack: false,
  applicant: { surname: 'Петров', firstName: 'Иван', phone: '+79130000000' },
  text: 'Прошу провести проверку управляющей компании.',
};

describe('parseImportLine', () => {
  it('maps a good line to an item registered at its original instant', () => {
    const parsed = parseImportLine(JSON.stringify(good));
    expect(parsed).toMatchObject({
      ok: true,
      item: { registeredAt: '2026-03-02T03:15:00.000Z', addressee: { code: 'minzhkh' }, channel: 'operator' },
    });
  });

  it('names every problem of a bad line', () => {
    const parsed = parseImportLine(
      JSON.stringify({ ...good, channel: 'fax', registeredAt: '02.03.2026', text: '' }),
    );
    expect(parsed).toEqual({
      ok: false,
      reason:
        'channel "fax" is unknown; registeredAt must be an ISO 8601 instant with a time zone, e.g. 2026-03-02T10:15:00+07:00; text is required',
    });
    expect(parseImportLine('{oops')).toEqual({ ok: false, reason: 'not valid JSON' });
  });
});
