import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { describeBreak, verifyAuditTrail } from '../audit/verify.js';
import { parseLocalEnv } from '../local/config.js';
import { openLocalDatabase } from '../local/database.js';
import { EXIT } from './exit-codes.js';

/** Exit code of `mintid audit verify` when it finds a break (beside the shared codes 0, 1, 2). */
export const EXIT_AUDIT_BROKEN = 8;

export const auditUsage = `Usage: mintid audit verify [--brand <uuid>] [--json]

Recomputes every brand's audit hash chain here (not with SQL functions, which the table owner could
replace), checks seq 1, 2, 3 … and the links, and reconciles the trail with the credentials: revoked
exactly when a revoked record exists, the stored secret hash the one the latest rotation recorded,
and the database's status functions agreeing. Connects directly to DATABASE_URL (a privileged
login), or to the local embedded database under .mintid/ when DATABASE_URL is unset.

  --brand <uuid>  verify one brand only
  --json          the report as JSON on stdout

Exit codes: 0 no break, 8 a break was found (the first is named), 1 unexpected, 2 usage.`;

/** `mintid audit verify`. */
export async function auditCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { brand: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${auditUsage}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(auditUsage);
    return EXIT.ok;
  }
  if (positionals.length !== 1 || positionals[0] !== 'verify') {
    console.error(auditUsage);
    return EXIT.usage;
  }
  if (values.brand !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.brand)) {
    console.error(`--brand must be a brand id (uuid)\n\n${auditUsage}`);
    return EXIT.usage;
  }

  // DATABASE_URL as given; else the local embedded database, as `mintid migrate` does.
  const database = process.env.DATABASE_URL
    ? { adminUrl: process.env.DATABASE_URL, stop: async () => {} }
    : await openLocalDatabase(parseLocalEnv());
  const sql = postgres(database.adminUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'mintid audit verify' } });
  try {
    const report = await verifyAuditTrail(sql, values.brand ? { brandId: values.brand.toLowerCase() } : {});
    if (values.json) {
      console.log(JSON.stringify({ ok: report.breaks.length === 0, ...report }));
    } else if (report.breaks.length === 0) {
      console.log(`Audit trail verified: ${report.brands} brand(s), ${report.records} record(s), ${report.credentials} credential(s); no break.`);
    } else {
      console.error(`Audit trail BROKEN at ${describeBreak(report.breaks[0]!)}`);
      for (const b of report.breaks.slice(1, 20)) console.error(`  also: ${describeBreak(b)}`);
      if (report.breaks.length > 20) console.error(`  … and ${report.breaks.length - 20} more`);
      console.error(`(${report.brands} brand(s), ${report.records} record(s), ${report.credentials} credential(s) checked)`);
    }
    return report.breaks.length === 0 ? EXIT.ok : EXIT_AUDIT_BROKEN;
  } finally {
    await sql.end();
    await database.stop();
  }
}
