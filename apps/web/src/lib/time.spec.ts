import { zoneLabel } from './time';

describe('zoneLabel (a time zone as staff read it)', () => {
  it('names a zone of the region by its city and offset, and any other by its offset, never its Latin id', () => {
    expect(zoneLabel('Asia/Novosibirsk')).toBe('Новосибирск, UTC+7');
    expect(zoneLabel('Europe/Moscow')).toBe('Москва, UTC+3');
    expect(zoneLabel('Asia/Yekaterinburg')).toBe('UTC+5');
    expect(zoneLabel('Asia/Kamchatka')).not.toMatch(/Asia|Kamchatka/);
  });
});
