import '../node-websocket.js';
import { credentialsCommand } from './credentials.js';
import { EXIT } from './exit-codes.js';
import { migrateCommand } from './migrate.js';
import { startCommand } from './start.js';
import { generateSigningKey } from '../secrets/signing-key.js';

const usage = `Usage: mintid <command>

Commands:
  start       run the local stack (PostgreSQL, migrations, demo data, API on :54321)
  migrate     apply the local platform objects and pending migrations to DATABASE_URL
              (or to the local embedded database under .mintid/ when DATABASE_URL is unset)
  credentials create|list|rotate|revoke|end-grace|events
              manage a brand's credentials (\`mintid credentials\` for options)
  signing-key print a new private ES256 signing JWK (kid = its thumbprint) for MINTID_SIGNING_KEYS
  help        show this text
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  start: () => startCommand(),
  migrate: () => migrateCommand(),
  credentials: (args) => credentialsCommand(args),
  'signing-key': async () => {
    console.log(JSON.stringify(await generateSigningKey()));
    return EXIT.ok;
  },
  help: async () => {
    console.log(usage);
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const [name = 'help', ...rest] = argv;
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command: ${name}\n\n${usage}`);
    return EXIT.usage;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`mintid: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(EXIT.unexpected);
  },
);
