// The `mintid` command. Each command lives in its own file as a `Command` (src/cli/args.ts) and
// is registered with one line below; command files import their heavy dependencies lazily, so
// `mintid --help` and every `mintid <command> --help` answer at once and do nothing else.
import { readFileSync } from 'node:fs';
import { runCommand, type Command } from './args.js';
import { auditCommand } from './audit.js';
import { brandsCommand, membersCommand } from './brands.js';
import { credentialsCommand } from './credentials.js';
import { envCommand } from './env.js';
import { EXIT } from './exit-codes.js';
import { migrateCommand } from './migrate.js';
import { secretsCommand } from './secrets.js';
import { signingKeyCommand } from './signing-key.js';
import { startCommand } from './start.js';
import { packageRoot } from '../package-root.js';

function version(): string {
  return (JSON.parse(readFileSync(`${packageRoot}/package.json`, 'utf8')) as { version: string }).version;
}

const mintid: Command = {
  summary: 'MintID Credentials: the local stack and the API credentials of MintID brands.',
  options: { version: { type: 'boolean', short: 'v', description: 'print the version' } },
  subcommands: {
    start: startCommand,
    migrate: migrateCommand,
    env: envCommand,
    credentials: credentialsCommand,
    brands: brandsCommand,
    members: membersCommand,
    secrets: secretsCommand,
    audit: auditCommand,
    'signing-key': signingKeyCommand,
    help: { summary: 'show this text', run: async () => runCommand(mintid, ['mintid'], ['--help']) },
  },
  async run({ values }) {
    if (values.version) {
      console.log(version());
      return EXIT.ok;
    }
    return runCommand(mintid, ['mintid'], ['--help']);
  },
};

runCommand(mintid, ['mintid'], process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Open handles (a pool closing, a timer) must not keep a finished command alive.
    setImmediate(() => process.exit(code));
  },
  (error: unknown) => {
    console.error(`mintid: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(EXIT.unexpected);
  },
);
