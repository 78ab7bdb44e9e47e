import iconv from 'iconv-lite';
import { iniEnvelope } from '../../../test/fakes/medo/packages';
import { envelopeFacts, parseIni } from './ini';

describe('INI envelope', () => {
  it('parses the windows-1251 envelope of older gateways', () => {
    const ini = parseIni(iniEnvelope(['passport.xml', 'Письмо.pdf']));
    expect(ini['ПИСЬМО КП ПС СЭД']).toMatchObject({ ТЕМА: 'ПС СЭД: Документ', ШИФРОВАНИЕ: '0', ЭЦП: '1' });
    expect(envelopeFacts(ini)).toEqual({ encrypted: false, files: ['passport.xml', 'Письмо.pdf'] });
  });

  it('notices an encrypted package', () => {
    expect(envelopeFacts(parseIni(iniEnvelope([], { encrypted: true }))).encrypted).toBe(true);
  });

  it('is tolerant: blank, comment and junk lines, keys before any section, quoted values', () => {
    const text = 'key=1\r\n\r\n;comment\r\njunk line\r\n[files]\r\n0="a b.pdf"\r\n';
    expect(parseIni(iconv.encode(text, 'win1251'))).toEqual({ '': { KEY: '1' }, FILES: { '0': 'a b.pdf' } });
  });
});
