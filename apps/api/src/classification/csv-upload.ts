import * as iconv from 'iconv-lite';
import { invalidInput } from '@inbox/common';

/**
 * The CSV of an upload: a file in the `file` field (UTF-8, or Windows-1251 as Excel saves it in Russia), or
 * the text in the `csv` field of a JSON body.
 */
export function uploadedCsv(file: Express.Multer.File | undefined, csv: string | undefined): string {
  if (file) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(file.buffer);
    } catch {
      return iconv.decode(file.buffer, 'win1251');
    }
  }
  if (typeof csv === 'string' && csv.trim() !== '') return csv;
  throw invalidInput('Приложите CSV-файл в поле file или передайте текст в поле csv', { file: 'Нет файла' });
}
