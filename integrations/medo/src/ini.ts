import { decodeLegacyText } from './encoding';

/** Sections of an INI file; section and key names upper-cased (Cyrillic included), values trimmed. */
export type IniFile = Record<string, Record<string, string>>;

/**
 * The INI envelope older МЭДО gateways put beside the passport (windows-1251, e.g. `[ПИСЬМО КП ПС СЭД]`
 * with ТЕМА, ШИФРОВАНИЕ, ЭЦП, and `[ФАЙЛЫ]` listing the files). Read tolerantly: comments, blank and
 * malformed lines are skipped; keys before any section go under "".
 */
export function parseIni(bytes: Uint8Array): IniFile {
  const out: IniFile = {};
  let section = '';
  for (const rawLine of decodeLegacyText(bytes).split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      section = header[1].trim().toUpperCase();
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().toUpperCase();
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    (out[section] ??= {})[key] = value;
  }
  return out;
}

export interface EnvelopeFacts {
  /** The envelope says the content is encrypted: we hold no keys, so it cannot be read. */
  encrypted: boolean;
  /** File names the envelope lists, in its order. */
  files: string[];
}

export function envelopeFacts(ini: IniFile): EnvelopeFacts {
  let encrypted = false;
  const files: string[] = [];
  for (const [section, entries] of Object.entries(ini)) {
    for (const [key, value] of Object.entries(entries)) {
      if ((key === 'ШИФРОВАНИЕ' || key === 'ENCRYPTION') && /^(1|да|yes|true)$/i.test(value))
        encrypted = true;
    }
    if (section === 'ФАЙЛЫ' || section === 'FILES') files.push(...Object.values(entries).filter(Boolean));
  }
  return { encrypted, files };
}
