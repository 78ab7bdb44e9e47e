import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { orgRoleLabel, partStateLabel } from '../pages/appeal/appeal-state';
import {
  avatarInitials,
  channelLabel,
  fileRejectionLabel,
  labelOf,
  phoneLabel,
  roleLabel,
  shortName,
  statusLabel,
} from './labels';

const CYRILLIC = /^[^A-Za-z]*[А-Яа-яЁё][^A-Za-z]*$/;

describe('labels: everything staff read is Russian, an unknown code too', () => {
  it('a Russian phone reads in groups however it was stored; any other as given', () => {
    for (const stored of ['+79611984704', '89611984704', '+7 (961) 198-47-04', '8 961 198 47 04'])
      expect(phoneLabel(stored)).toBe('+7 961 198-47-04');
    for (const other of ['+375 29 123-45-67', '12-34-56', '+7 961 198-47-04 доб. 12'])
      expect(phoneLabel(other)).toBe(other);
  });

  it("a phone's header names the staff member by the surname and initials, any other name as it is", () => {
    expect(shortName('Константинопольская-Щедрина Екатерина Александровна')).toBe(
      'Константинопольская-Щедрина Е. А.',
    );
    expect(shortName('Кузнецов Олег')).toBe('Кузнецов О.');
    expect(shortName('Специалист Минжкх Петров С. В.')).toBe('Петров С. В.');
    expect(shortName('Администратор системы')).toBe('Администратор системы');
    expect(shortName('Тестовый сотрудник clerk-1')).toBe('Тестовый сотрудник clerk-1');
    // The avatar's letters are the person's, not the position's.
    expect(avatarInitials('Руководитель ЦУР Смирнова О. Н.')).toBe('СО');
    expect(avatarInitials('Константинопольская-Щедрина Екатерина Александровна')).toBe('КЕ');
    expect(avatarInitials('Администратор системы')).toBe('А');
  });

  it('labelOf names a known code and reads an unknown one (or a prototype key) as the Russian phrase', () => {
    const map = { returned: 'вернула' };
    expect(labelOf(map, 'returned', 'состояние уточняется')).toBe('вернула');
    for (const code of ['suspended', 'constructor', 'toString', '__proto__', '', null, undefined]) {
      expect(labelOf(map, code, 'состояние уточняется')).toBe('состояние уточняется');
    }
  });

  it("a file's rejection reads in Russian: the fetchers' codes, a download given up, an unknown code", () => {
    expect(fileRejectionLabel('refused')).toBe('канал отказал в выдаче файла');
    expect(fileRejectionLabel('not-found')).toBe('файл удалён или недоступен в канале');
    expect(fileRejectionLabel('too-large')).toBe('файл больше допустимого размера');
    expect(fileRejectionLabel('download-failed: Temporary: ПОС file: HTTP 503')).toBe(
      'не удалось скачать файл из канала',
    );
    expect(fileRejectionLabel('not-stored')).toMatch(/^файл не получен: система не смогла сохранить его/);
    expect(fileRejectionLabel('Удалено по сроку хранения')).toBe('Удалено по сроку хранения');
    for (const code of ['quarantined-by-av', 'constructor', null, undefined]) {
      expect(fileRejectionLabel(code)).toBe('файл отклонён');
    }
  });

  it("an appeal part's unknown state and an organisation's unknown role are Russian, not the raw code", () => {
    expect(partStateLabel('returned')).toBe('вернула');
    expect(partStateLabel('closed')).toBe('закрыто');
    expect(orgRoleLabel('co-executor')).toBe('2-я линия');
    for (const text of [
      partStateLabel('suspended'),
      orgRoleLabel('observer'),
      channelLabel('max-messenger'),
      statusLabel('archived'),
      roleLabel('auditor'),
    ]) {
      expect(text).toMatch(CYRILLIC);
    }
  });

  it('no screen falls back from a label map to the raw code (`MAP[x] ?? x`)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name) && !/\.spec\.ts$|schema\.gen\.ts$/.test(name)) files.push(path);
      }
    };
    walk(join(__dirname, '..'));
    const rawFallback =
      /\[\s*([\w.]+|[\w.]+\[\d+\])(?:\s+as\s+\w+)?\s*\](?:\?\.\w+)?\s*\?\?\s*\(?\s*([\w.]+(?:\[\d+\])?)\b(?!\s*[([.])/g;
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(rawFallback)) {
        if (m[1] === m[2]) found.push(`${file.slice(file.indexOf('apps/web'))}: ${m[0]}`);
      }
    }
    expect(files.length).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });
});
