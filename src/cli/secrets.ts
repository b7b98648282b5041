// `mintid secrets …`: a brand's write-only secrets (SPEC §12) through the typed client. Values
// come from standard input or a prompt without echo (src/cli/secret-value-input.ts), never from
// the command line; nothing here ever prints a value.
import { intFlag, throwIfMissing, UsageError, uuidFlag, type Command, type OptionSpec, type ParsedArgs } from './args.js';
import {
  allPagesOption, brandOption, connectionOptions, connectSupabase, EXIT_CODES_TEXT, pageOptions, printer, reportError, type Print,
} from './connection.js';
import { followPages, pageSummary } from './list-output.js';
import { EXIT } from './exit-codes.js';
import { SECRET_DESCRIPTION_MAX, SECRET_NAME_MAX, SECRET_VALUE_MAX_BYTES } from '../client/limits.js';
import type { SecretsClient } from '../client/secrets.js';

type Values = ParsedArgs['values'];

const VALUE_HELP = `The value is read from standard input when it is not a terminal (one trailing newline
is dropped), else from a prompt that does not echo. It is never accepted on the command line.`;

/** Declared only to refuse it with the reason (an undeclared flag would get a bare "unknown option"). */
const refusedValueOption = {
  // allowEmpty: `--value ""` is refused with the reason too, not told to "give it one".
  value: { type: 'string', value: 'never', allowEmpty: true, description: 'refused: values come from standard input or the prompt' },
} as const satisfies Record<string, OptionSpec>;

const secretOption = {
  secret: { type: 'string', value: 'uuid', required: true, param: 'secretId', rule: 'must be a UUID', description: 'the secret id' },
} as const satisfies Record<string, OptionSpec>;
const descriptionOption = {
  // allowEmpty: `--description ""` is a description (none; in an update it clears the old one).
  description: {
    type: 'string', value: 'text', allowEmpty: true, rule: `must be at most ${SECRET_DESCRIPTION_MAX} characters (spaces at either end do not count)`,
    description: `what the secret is for (at most ${SECRET_DESCRIPTION_MAX} characters; "" for none)`,
  },
} as const satisfies Record<string, OptionSpec>;
const nameRule = `must be 1 to ${SECRET_NAME_MAX} characters of A-Z a-z 0-9 space . _ - (spaces at either end do not count)`;
/** The value comes from standard input or the prompt, never from a flag; its rule, never the value. */
const valueInput = { value: `the value (read from standard input or the prompt) must be 1 to ${SECRET_VALUE_MAX_BYTES} bytes of UTF-8, without NUL` };

/**
 * Required options are checked after the refusals, so `--value` is refused whatever else is missing:
 * the parser sees them as `requiredLater` (still said as required in the usage text and the advice
 * for an empty value).
 */
function requiredLater(options: Record<string, OptionSpec>): Record<string, OptionSpec> {
  return Object.fromEntries(Object.entries(options).map(([name, { required, ...spec }]) =>
    [name, required ? { ...spec, requiredLater: true } : spec]));
}

function requireOptions(all: Record<string, OptionSpec>, values: Values): void {
  throwIfMissing(Object.entries(all).filter(([name, spec]) => spec.required && values[name] === undefined));
}

/** A secrets subcommand: refuses a value on the command line, checks flags, then calls the API. */
function subcommand(spec: Omit<Command, 'run' | 'options'> & { options: Record<string, OptionSpec> },
  action: (client: SecretsClient, v: Values, brandId: string, print: Print) => Promise<void>): Command {
  const all = { ...brandOption, ...spec.options, ...connectionOptions };
  return {
    ...spec,
    options: { ...requiredLater(all), ...refusedValueOption },
    // A stray argument could be a value typed on the command line: refused with the reason, never echoed.
    positionals: { max: 1 },
    epilogue: EXIT_CODES_TEXT,
    async run({ values, json, positionals }) {
      const { value, ...rest } = values;
      if (value !== undefined || positionals.length > 0) {
        throw new UsageError(`${value !== undefined ? '--value' : 'an argument'} refused: ${
          (await import('./secret-value-input.js')).VALUE_ON_COMMAND_LINE_REFUSED}`);
      }
      requireOptions(all, rest);
      const brandId = uuidFlag(rest, 'brand')!;
      const print = printer(json);
      try {
        await action(await secretsClient(rest), rest, brandId, print);
        return EXIT.ok;
      } catch (error) {
        return reportError(json, error, { options: all, values: rest, inputs: valueInput });
      }
    },
  };
}

async function secretsClient(values: Values): Promise<SecretsClient> {
  const supabase = await connectSupabase(values);
  const { createSecretsClient } = await import('../client/secrets.js');
  return createSecretsClient(supabase);
}

async function readValue(): Promise<string> {
  return (await import('./secret-value-input.js')).readSecretValue();
}

const create = subcommand({
  summary: 'create a secret; its value is read from standard input or a hidden prompt',
  description: VALUE_HELP,
  options: {
    name: {
      type: 'string', value: 'text', required: true, rule: nameRule,
      description: `1-${SECRET_NAME_MAX} characters of A-Z a-z 0-9 space . _ - (unique per brand, ignoring case)`,
    },
    ...descriptionOption,
  },
}, async (client, v, brandId, print) => {
  const value = await readValue();
  const { secretId } = await client.createBrandSecret({
    brandId, name: v.name as string, value, ...(v.description !== undefined ? { description: v.description as string } : {}),
  });
  print(`Created secret ${secretId}. Its value is stored encrypted and is never shown again; refer to it by this id.`, { secretId });
});

const list = subcommand({
  summary: "list the brand's secrets (names and times, never values), newest first",
  options: { ...pageOptions, ...allPagesOption },
}, async (client, v, brandId, print) => {
  const limit = intFlag(v, 'limit');
  const fetchPage = (cursor?: string) => client.listBrandSecrets({
    brandId, ...(limit !== undefined ? { limit } : {}), ...(cursor ? { cursor } : {}),
  });
  const { items, nextCursor } = await followPages(v.all as boolean, fetchPage, v.cursor as string | undefined);
  const lines = items.map((s) => `${s.id}  ${s.name}  updated ${s.updatedAt}  last used ${s.lastAccessedAt ?? 'never'}` +
    `${s.description ? `  — ${s.description}` : ''}`);
  print([...lines, pageSummary({ count: items.length, noun: 'secret', nextCursor, cursor: v.cursor as string | undefined,
    all: v.all as boolean, hasAll: true })].join('\n'), { items, nextCursor });
});

const update = subcommand({
  summary: 'rename, re-describe and/or replace the value of a secret (its id stays)',
  description: `${VALUE_HELP}\nThe value is read only with --replace-value.`,
  options: {
    ...secretOption,
    name: { type: 'string', value: 'text', rule: nameRule, description: 'the new name' },
    ...descriptionOption,
    'replace-value': { type: 'boolean', description: 'replace the value (read from standard input or the prompt)' },
  },
}, async (client, v, brandId, print) => {
  const secretId = uuidFlag(v, 'secret')!;
  if (v.name === undefined && v.description === undefined && !v['replace-value']) {
    throw new UsageError('nothing to update: give --name, --description or --replace-value');
  }
  const value = v['replace-value'] ? await readValue() : undefined;
  const updated = await client.updateBrandSecret({
    brandId, secretId,
    ...(v.name !== undefined ? { name: v.name as string } : {}),
    ...(v.description !== undefined ? { description: v.description as string } : {}),
    ...(value !== undefined ? { value } : {}),
  });
  print(`Updated secret ${updated.secretId} at ${updated.updatedAt}`, updated);
});

const remove = subcommand({
  summary: 'delete a secret: its value is destroyed; the audit trail keeps the record',
  options: { ...secretOption },
}, async (client, v, brandId, print) => {
  const deleted = await client.deleteBrandSecret({ brandId, secretId: uuidFlag(v, 'secret')! });
  print(`Deleted secret ${deleted.secretId}; its value is destroyed.`, deleted);
});

/** `mintid secrets <create|list|update|delete>`. */
export const secretsCommand: Command = {
  summary: "manage a brand's secrets (write-only values for server-side steps)",
  subcommands: { create, list, update, delete: remove },
  epilogue: EXIT_CODES_TEXT,
};
