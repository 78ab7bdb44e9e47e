import { columnIndex, csvRecordsWithLines } from '@inbox/text-classifier';

/** A topic code: Latin letters, digits, `.`, `_`, `-` (e.g. `housing-heating` or `0002.0004.0043`). */
export const TOPIC_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_TOPIC_NAME = 300;
export const MAX_TYPICAL_NEEDS = 50;

export interface RubricatorCsvRow {
  line: number;
  code: string;
  name: string;
  parentCode: string | null;
  /** Undefined when the file has no such column: the topic keeps what it had. */
  typicalNeeds?: string[];
  defaultOrganisationCode?: string | null;
  active?: boolean;
}

export interface CsvLineError {
  line: number;
  message: string;
}

/** What the import checks the file against. */
export interface RubricatorContext {
  /** Existing topics by code. */
  topics: ReadonlyMap<string, { parentCode: string | null; hasChildren: boolean }>;
  organisationCodes: ReadonlySet<string>;
}

const COLUMNS = {
  code: ['code', 'код', 'код_темы'],
  name: ['name', 'название', 'наименование'],
  parentCode: ['parent_code', 'parent', 'код_родителя', 'родитель', 'код_раздела'],
  typicalNeeds: ['typical_needs', 'типовые_потребности', 'потребности'],
  organisation: ['default_organisation', 'default_organization', 'organisation', 'организация'],
  active: ['active', 'активна', 'действует'],
};

const TRUE = new Set(['1', 'true', 'да', 'yes', 'y', 'д']);
const FALSE = new Set(['0', 'false', 'нет', 'no', 'n', 'н']);

/** Typical needs in one cell: separated by `|`, `;` or line breaks. */
export function splitTypicalNeeds(cell: string): string[] {
  return [
    ...new Set(
      cell
        .split(/[|;\n]/)
        .map((s) => s.trim().replace(/\s+/g, ' '))
        .filter((s) => s !== ''),
    ),
  ];
}

/**
 * Reads a rubricator CSV: columns code, name, parent_code, and optionally typical_needs,
 * default_organisation (an organisation code), active. Every problem is reported with its line; the rows
 * are only usable when there are no errors (the import is all or nothing).
 */
export function parseRubricatorCsv(
  text: string,
  context: RubricatorContext,
): { rows: RubricatorCsvRow[]; errors: CsvLineError[] } {
  const records = csvRecordsWithLines(text);
  const errors: CsvLineError[] = [];
  if (records.length === 0) return { rows: [], errors: [{ line: 1, message: 'Файл пуст' }] };
  const [header, ...data] = records;
  const col = {
    code: columnIndex(header.fields, COLUMNS.code),
    name: columnIndex(header.fields, COLUMNS.name),
    parentCode: columnIndex(header.fields, COLUMNS.parentCode),
    typicalNeeds: columnIndex(header.fields, COLUMNS.typicalNeeds),
    organisation: columnIndex(header.fields, COLUMNS.organisation),
    active: columnIndex(header.fields, COLUMNS.active),
  };
  const missing = (['code', 'name'] as const).filter((c) => col[c] < 0);
  if (missing.length > 0) {
    return {
      rows: [],
      errors: [
        {
          line: header.line,
          message: `Нет обязательных столбцов: ${missing.join(', ')} (ожидаются code, name, parent_code, typical_needs)`,
        },
      ],
    };
  }
  if (data.length === 0)
    return { rows: [], errors: [{ line: header.line, message: 'В файле нет строк с темами' }] };

  const cell = (fields: readonly string[], i: number) => (i >= 0 ? (fields[i] ?? '').trim() : '');
  const rows: RubricatorCsvRow[] = [];
  const seen = new Map<string, number>();
  for (const record of data) {
    const f = record.fields;
    const problems: string[] = [];
    const code = cell(f, col.code);
    const name = cell(f, col.name).replace(/\s+/g, ' ');
    const parentCode = cell(f, col.parentCode) || null;
    if (!code) problems.push('не указан код темы');
    else if (!TOPIC_CODE.test(code))
      problems.push(`код «${code}»: допустимы латинские буквы, цифры, точка, _ и -`);
    else if (seen.has(code)) problems.push(`код «${code}» уже встречался в строке ${seen.get(code)}`);
    if (!name) problems.push('не указано название');
    else if (name.length > MAX_TOPIC_NAME) problems.push(`название длиннее ${MAX_TOPIC_NAME} символов`);
    if (parentCode && parentCode === code) problems.push('тема не может быть своим же разделом');
    let typicalNeeds: string[] | undefined;
    if (col.typicalNeeds >= 0) {
      typicalNeeds = splitTypicalNeeds(f[col.typicalNeeds] ?? '');
      if (typicalNeeds.length > MAX_TYPICAL_NEEDS)
        problems.push(`больше ${MAX_TYPICAL_NEEDS} типовых потребностей`);
      if (typicalNeeds.some((n) => n.length > MAX_TOPIC_NAME)) {
        problems.push(`типовая потребность длиннее ${MAX_TOPIC_NAME} символов`);
      }
    }
    let defaultOrganisationCode: string | null | undefined;
    if (col.organisation >= 0) {
      defaultOrganisationCode = cell(f, col.organisation) || null;
      if (defaultOrganisationCode && !context.organisationCodes.has(defaultOrganisationCode)) {
        problems.push(`организации «${defaultOrganisationCode}» нет в справочнике`);
      }
    }
    let active: boolean | undefined;
    if (col.active >= 0) {
      const raw = cell(f, col.active).toLowerCase();
      if (raw === '') active = undefined;
      else if (TRUE.has(raw)) active = true;
      else if (FALSE.has(raw)) active = false;
      else problems.push(`active: ожидается да/нет, получено «${raw}»`);
    }
    if (code && !seen.has(code)) seen.set(code, record.line);
    if (problems.length > 0) {
      errors.push({ line: record.line, message: problems.join('; ') });
      continue;
    }
    rows.push({
      line: record.line,
      code,
      name,
      parentCode,
      ...(typicalNeeds !== undefined ? { typicalNeeds } : {}),
      ...(defaultOrganisationCode !== undefined ? { defaultOrganisationCode } : {}),
      ...(active !== undefined ? { active } : {}),
    });
  }

  // Two levels: a parent is a top-level topic (in the file, else in the rubricator); a topic with
  // subtopics cannot become one.
  const inFile = new Map(rows.map((r) => [r.code, r]));
  const parentOf = (code: string): string | null | undefined =>
    inFile.has(code) ? inFile.get(code)!.parentCode : context.topics.get(code)?.parentCode;
  const childrenInFile = new Set(rows.filter((r) => r.parentCode).map((r) => r.parentCode!));
  for (const row of rows) {
    if (!row.parentCode) continue;
    const grand = parentOf(row.parentCode);
    if (grand === undefined && !seen.has(row.parentCode)) {
      errors.push({
        line: row.line,
        message: `раздела «${row.parentCode}» нет ни в файле, ни в рубрикаторе`,
      });
    } else if (grand) {
      errors.push({
        line: row.line,
        message: `«${row.parentCode}» — сама подтема; рубрикатор двухуровневый: укажите тему верхнего уровня`,
      });
    } else if (childrenInFile.has(row.code) || context.topics.get(row.code)?.hasChildren) {
      errors.push({
        line: row.line,
        message: `у темы «${row.code}» есть подтемы: она не может стать подтемой`,
      });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { rows, errors };
}
