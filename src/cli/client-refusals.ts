// A value the typed client refuses before calling the server is a usage error of the CLI (exit 2):
// said with the flag that carried it and the rule in plain words that its option declares
// (`rule` in src/cli/args.ts), found by the refusal's `field` (`scopes.1`), never by reading the
// validator's message. Values are quoted only where the rule says so (scopes, ids): never a secret.
import { commaList, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { flagFor } from './cli-terms.js';
import { PAGE_LIMIT_MAX } from '../client/limits.js';

/** Rules of parameters that no flag carries (a secret's value comes from standard input). */
export type InputRules = Record<string, string>;

/** `"products:read"`, cut short past 64 characters so an error never echoes much. */
export const quoted = (text: string) => JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);

/**
 * The usage error for the client's refusal of `field` (its path in the call's params, e.g.
 * `scopes.1`, `limit`; null for a rule over several parameters).
 */
export function refusalAsUsage(field: string | null, options: Record<string, OptionSpec>, values: ParsedArgs['values'],
  inputs: InputRules = {}): UsageError {
  const [param, index] = (field ?? '').split('.');
  const item = index !== undefined && /^\d+$/.test(index) ? Number(index) : null;
  if (param && inputs[param]) return new UsageError(inputs[param]);
  const flag = param ? flagFor(param, options) : null;
  const name = flag?.slice(2);
  const spec = name ? options[name] : undefined;
  if (!flag || !spec) return new UsageError('these options do not go together; see --help');
  const value = values[name!];
  const rule = typeof spec.rule === 'function' ? spec.rule(typeof value === 'string' ? value : undefined, item) : spec.rule;
  if (!rule) return new UsageError(`${flag} has a value that is not accepted; see --help`);
  // A function's rule is the whole message (it may name an item: `--scopes: "a" is not a scope`).
  return new UsageError(typeof spec.rule === 'function' ? rule : `${flag} ${rule}`);
}

/** The rule of a list flag (`a,b,c`): what is wrong with the refused item or with the list. */
export function listRule(flag: string, what: { item: (text: string, position: number) => string; noun: string; max: number; distinct?: boolean }) {
  return (value: string | undefined, item: number | null): string => {
    const items = commaList(value ?? '');
    if (item !== null) return `${flag}: ${what.item(items[item] ?? '', item + 1)}`;
    if (items.length === 0) return `${flag} needs at least one ${what.noun}`;
    if (items.length > what.max) return `${flag} takes at most ${what.max} ${what.noun}s (${items.length} given)`;
    const twice = items.find((text, i) => items.indexOf(text) !== i);
    if (what.distinct && twice !== undefined) return `${flag}: ${quoted(twice)} is given twice; name each ${what.noun} once`;
    return `${flag} must be 1 to ${what.max} ${what.distinct ? 'distinct ' : ''}${what.noun}s, comma-separated`;
  };
}

/** `--limit`: 1 to 200. */
export const limitRule = (value: string | undefined) =>
  `--limit ${Number(value) > PAGE_LIMIT_MAX ? `must be at most ${PAGE_LIMIT_MAX}` : 'must be at least 1'}`;

/** Text measured as the database measures it (trimmed, in characters). */
export const textRule = (max: number) => `must be 1 to ${max} characters (spaces at either end do not count)`;
