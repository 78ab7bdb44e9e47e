/** Minimal `--name value` / `--name=value` / `--flag` parser with a closed set of options per command. */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  readonly command: string;
  readonly options: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
}

export interface CommandSpec {
  /** Options that take a value. */
  readonly options: readonly string[];
  /** Boolean flags. */
  readonly flags: readonly string[];
  readonly required: readonly string[];
}

export function parseArgs(
  argv: readonly string[],
  commands: Readonly<Record<string, CommandSpec>>,
): ParsedArgs {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    throw new UsageError('');
  }
  const spec = commands[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (spec.flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
      continue;
    }
    if (!spec.options.includes(name)) throw new UsageError(`unknown option --${name} for "${command}"`);
    let value: string | undefined;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      value = rest[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      i++;
    }
    options.set(name, value);
  }
  for (const name of spec.required) {
    if (!options.has(name)) throw new UsageError(`"${command}" needs --${name}`);
  }
  return { command, options, flags };
}

export function numberOption(
  args: ParsedArgs,
  name: string,
  fallback: number,
  min = -Infinity,
  max = Infinity,
): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a number in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

export function choiceOption<T extends string>(
  args: ParsedArgs,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}`);
  return raw as T;
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const raw = args.options.get(name);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
