// The one flag parser of the `mintid` command. Every command, at every level, is a `Command`:
// `--help`/`-h` prints its usage and exits 0 before anything runs, an unknown option or a missing
// required one exits 2 (all missing ones named at once, with their environment variable), and a
// group of subcommands lists them. This file imports nothing heavy, so `mintid … --help` is fast:
// commands import their dependencies inside `run`.
import { parseArgs } from 'node:util';

/** Exit code for a usage error (see exit-codes.ts; repeated here so this file stays dependency-free). */
export const USAGE_EXIT = 2;

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** One line for the usage text, e.g. 'the brand (a UUID)'. */
  description: string;
  /** Placeholder shown in the usage text: `--brand <uuid>`. */
  value?: string;
  /** Environment variable read when the option is absent. */
  env?: string;
  /** Value when neither the option nor its environment variable is given. */
  default?: string;
  /** Like `default`, computed when needed (e.g. the running local stack's URL); `default` then only names it in the usage text. */
  defaultFrom?: () => string;
  /** Reported (with every other missing one) when absent. */
  required?: boolean;
  /**
   * Required, but the command checks it itself after its own refusals (so the parser does not report
   * it missing); the usage text and the advice for an empty value still say it is required.
   */
  requiredLater?: boolean;
  /** May be repeated; values collected in order. */
  multiple?: boolean;
  /** An explicitly empty value (`--description ""`) is a value here (e.g. "clear it"); else it is a usage error. */
  allowEmpty?: boolean;
  /** Said with the usage error when this option is missing: how to get it (e.g. `eval "$(npx mintid env)"`). */
  whenMissing?: string;
  /**
   * The typed client's parameter this flag carries (e.g. `brandId` for `--brand`), and the rule in
   * plain words the CLI says when the client refuses the value before calling the server
   * (src/cli/client-refusals.ts). A function gets the flag's value and, for a list flag, the
   * refused item's index (from 0).
   */
  param?: string;
  rule?: string | ((value: string | undefined, item: number | null) => string);
}

/** What a leaf command receives: option values (env and defaults applied) and positionals. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Whether `--json` was given (for commands that have it), so errors can be JSON too. */
  json: boolean;
}

export interface Command {
  /** One line shown in the parent's command list. */
  summary: string;
  /** `<name> [options]` part of the usage line after the command path; defaults to `[options]`. */
  synopsis?: string;
  /** Free text printed after the usage line (what it does, examples). */
  description?: string;
  options?: Record<string, OptionSpec>;
  /** Positionals accepted (default none). */
  positionals?: { min?: number; max?: number; names?: string };
  /** Nested subcommands (a group); a group has no `run`, or a `run` used when no subcommand is given. */
  subcommands?: Record<string, Command>;
  /** Printed after the usage text (exit codes, environment). */
  epilogue?: string;
  run?: (args: ParsedArgs, path: string[]) => Promise<number>;
}

/** A usage error: printed with a pointer to `--help`, exit code 2; `hint` says how to fix it where that is not obvious. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly hint: string | null;
  constructor(message: string, hint: string | null = null) {
    super(message);
    this.hint = hint;
  }
}

/** The flags every command accepts. */
const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

function optionLabel(name: string, spec: OptionSpec): string {
  const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}`;
  return spec.type === 'string' ? `${flag} <${spec.value ?? 'value'}>` : flag;
}

/** The usage text of a command at `path` (e.g. ['mintid', 'credentials', 'create']). */
export function usage(command: Command, path: string[]): string {
  const name = path.join(' ');
  const lines: string[] = [];
  if (command.subcommands) {
    lines.push(`Usage: ${name} ${command.synopsis ?? '<command> [options]'}`);
  } else {
    lines.push(`Usage: ${name} ${command.synopsis ?? (command.options && Object.keys(command.options).length ? '[options]' : '')}`.trimEnd());
  }
  lines.push('', command.summary);
  if (command.description) lines.push('', command.description.trimEnd());
  if (command.subcommands) {
    const entries = Object.entries(command.subcommands);
    const width = Math.max(...entries.map(([n]) => n.length)) + 2;
    lines.push('', 'Commands:');
    for (const [sub, spec] of entries) lines.push(`  ${sub.padEnd(width)}${spec.summary}`);
    lines.push('', `Run '${name} <command> --help' for a command's options.`);
  }
  const options = Object.entries({ ...command.options, help: HELP });
  const labels = options.map(([n, spec]) => optionLabel(n, spec));
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  lines.push('', 'Options:');
  options.forEach(([, spec], i) => {
    const extra = [
      spec.required || spec.requiredLater ? 'required' : '',
      spec.env ? `env ${spec.env}` : '',
      spec.default !== undefined ? `default ${spec.default}` : '',
    ].filter(Boolean).join(', ');
    lines.push(`  ${labels[i]!.padEnd(width)}${spec.description}${extra ? ` (${extra})` : ''}`);
  });
  if (command.epilogue) lines.push('', command.epilogue.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** Whether argv asks for help (before a `--` terminator). */
function wantsHelp(argv: string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * Parses argv for a leaf command: refuses unknown options and stray positionals, applies
 * environment variables and defaults, and reports every missing required option at once.
 */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const specs = command.options ?? {};
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    config[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: config, strict: true, allowPositionals: true });
  } catch (error) {
    // node:util's messages name the option ("Unknown option '--bogus'"); drop its advice about '--'.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { min = 0, max = 0 } = command.positionals ?? {};
  if (parsed.positionals.length > max) {
    throw new UsageError(max === 0 ? `unexpected argument '${parsed.positionals[max]}'` : `too many arguments (at most ${max})`);
  }
  if (parsed.positionals.length < min) throw new UsageError(`missing ${command.positionals?.names ?? 'arguments'}`);
  const values: ParsedArgs['values'] = {};
  const missing: [string, OptionSpec][] = [];
  for (const [name, spec] of Object.entries(specs)) {
    let value = parsed.values[name] as ParsedArgs['values'][string];
    if (spec.type === 'string' && !spec.multiple && value === '' && !spec.allowEmpty) {
      // `--token ""` (say, from an unset shell variable) must not quietly become MINTID_TOKEN, and
      // `--scopes ""` is not a missing flag: name the empty one and what leaving it out would do.
      throw new UsageError(`--${name} was given an empty value; ${emptyAdvice(name, spec)}`);
    }
    if (value === undefined && spec.env && process.env[spec.env]) value = process.env[spec.env];
    if (value === undefined && spec.defaultFrom) value = spec.defaultFrom();
    if (value === undefined && spec.default !== undefined) value = spec.default;
    if (value === undefined && spec.type === 'boolean') value = false;
    if (value === undefined && spec.required) missing.push([name, spec]);
    values[name] = value;
  }
  throwIfMissing(missing);
  return { values, positionals: parsed.positionals, json: values.json === true };
}

/** What to do instead of an empty `--flag ""`. */
function emptyAdvice(name: string, spec: OptionSpec): string {
  if (spec.env) return `give it one, or leave the flag out to use ${spec.env}`;
  if (spec.required || spec.requiredLater) return `it is required: --${name} <${spec.value ?? 'value'}>`;
  if (spec.default !== undefined) return `give it one, or leave the flag out for the default (${spec.default})`;
  return 'give it one, or leave the flag out';
}

/**
 * Throws the usage error for missing required options (every one named, with its environment
 * variable), with their `whenMissing` advice as the hint.
 */
export function throwIfMissing(missing: [string, OptionSpec][]): void {
  if (missing.length === 0) return;
  const names = missing.map(([name, spec]) => (spec.env ? `--${name} (or ${spec.env})` : `--${name}`));
  const hint = [...new Set(missing.map(([, spec]) => spec.whenMissing).filter(Boolean))].join(' ') || null;
  throw new UsageError(`missing required option${names.length > 1 ? 's' : ''} ${names.join(', ')}`, hint);
}

/** Prints a usage error (as JSON on stderr when `--json` was asked for) and returns exit code 2. */
function usageFailure(error: string | UsageError, path: string[], argv: string[]): number {
  const message = typeof error === 'string' ? error : error.message;
  const hint = typeof error === 'string' ? null : error.hint;
  const help = `Run '${path.join(' ')} --help'`;
  if (argv.includes('--json')) {
    console.error(JSON.stringify({ error: { code: 'usage', message, reason: null, hint: hint ? `${hint} ${help} for usage.` : `${help}.` } }));
  } else {
    console.error(`${path[0]}: ${message}${hint ? `\n  hint: ${hint}` : ''}\n${help} for usage.`);
  }
  return USAGE_EXIT;
}

/**
 * Runs `command` (reached by `path`) with `argv`: dispatches to subcommands, answers `--help`,
 * parses flags for a leaf and calls its `run`. Returns the exit code; never calls process.exit.
 */
export async function runCommand(command: Command, path: string[], argv: string[]): Promise<number> {
  if (command.subcommands) {
    const [first, ...rest] = argv;
    if (first !== undefined && !first.startsWith('-')) {
      const sub = command.subcommands[first];
      if (!sub) return usageFailure(`unknown command '${first}'`, path, argv);
      return runCommand(sub, [...path, first], rest);
    }
    if (wantsHelp(argv) || (first === undefined && !command.run)) {
      const text = usage(command, path);
      // A bare group prints its usage like --help, but as a usage error: nothing was done.
      if (first === undefined && !command.run && path.length > 1) {
        process.stderr.write(text);
        return USAGE_EXIT;
      }
      process.stdout.write(text);
      return 0;
    }
    if (!command.run) return usageFailure(`unknown option '${first}'`, path, argv);
  }
  if (wantsHelp(argv)) {
    process.stdout.write(usage(command, path));
    return 0;
  }
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandArgs(command, argv);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error, path, argv);
    throw error;
  }
  try {
    return await command.run!(parsed, path);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error, path, argv);
    throw error;
  }
}

/** Reads a `--flag` value that must be a UUID (any 8-4-4-4-12 hex id, as the client accepts). */
export function uuidFlag(values: ParsedArgs['values'], name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new UsageError(`--${name} must be a UUID, e.g. b1a2c3d4-0000-0000-0000-000000000001`);
  }
  return value;
}

/** Reads a `--flag` that must be a whole number. */
export function intFlag(values: ParsedArgs['values'], name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

/** Reads a `--flag` that must be ISO 8601 with an explicit offset or Z; returns it as given. */
export function timestampFlag(values: ParsedArgs['values'], name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
  const [year, month, day] = typeof value === 'string' ? value.slice(0, 10).split('-').map(Number) : [];
  // Date.parse accepts 2027-02-30; the calendar does not.
  const realDay = year !== undefined && new Date(Date.UTC(year, month! - 1, day)).getUTCDate() === day;
  if (typeof value !== 'string' || !iso.test(value) || Number.isNaN(Date.parse(value)) || !realDay) {
    throw new UsageError(`--${name} must be an ISO 8601 time with an offset, e.g. 2027-01-31T00:00:00Z or 2027-01-31T09:00:00+01:00`);
  }
  return value;
}

/** Reads a `--flag` that must be one of `choices`. */
export function choiceFlag<T extends string>(values: ParsedArgs['values'], name: string, choices: readonly T[]): T | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !choices.includes(value as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}`);
  return value as T;
}

/** `a, b,,c` → ['a', 'b', 'c']: a comma-separated flag's items, as every list flag reads them. */
export function commaList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter(Boolean);
}
