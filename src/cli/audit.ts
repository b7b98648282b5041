import { uuidFlag, type Command } from './args.js';

/** Exit code of `mintid audit verify` when it finds a break (beside 0 ok, 1 unexpected, 2 usage). */
export const EXIT_AUDIT_BROKEN = 8;

/**
 * `mintid audit verify [--brand <uuid>] [--json]`: recomputes the audit hash chains in Node and
 * reconciles them with the credentials (src/audit/verify.ts), over a direct database connection.
 */
const verifyCommand: Command = {
  summary: 'recompute the audit hash chain and reconcile it with the credentials',
  description: `Recomputes every brand's audit hash chain here (not with SQL functions, which the table owner
could replace), checks seq 1, 2, 3 … and the links, and reconciles the trail with the credentials:
revoked exactly when a revoked record exists, the stored secret hash the one the latest secret change
recorded, rotation columns matching rotated records, and the database's status functions agreeing.
Connects directly to DATABASE_URL (a privileged login), or to the local embedded database under
.mintid/ when DATABASE_URL is unset (the running one when \`npm start\` runs in this folder).`,
  options: {
    brand: { type: 'string', value: 'uuid', description: 'verify one brand only' },
    anchor: {
      type: 'string', value: 'file',
      description: 'compare with the chain heads saved in this file by an earlier run, then save the new ones (only when no break)',
    },
    json: { type: 'boolean', description: 'the report as JSON on stdout' },
  },
  epilogue: `Exit codes: 0 no break, ${EXIT_AUDIT_BROKEN} a break was found (the first is named: brand, seq, what), 1 unexpected, 2 usage.
Environment: DATABASE_URL, MINTID_DB_PORT, MINTID_STATE_DIR.`,
  async run({ values }) {
    const brandId = uuidFlag(values, 'brand')?.toLowerCase();
    const anchorFile = typeof values.anchor === 'string' ? values.anchor : undefined;
    const [{ default: postgres }, { describeBreak, verifyAuditTrail }, { readAnchors, writeAnchors }] = await Promise.all([
      import('postgres'), import('../audit/verify.js'), import('../audit/anchors.js'),
    ]);
    const anchors = anchorFile ? await readAnchors(anchorFile) : [];
    const database = await openDatabase();
    const sql = postgres(database.adminUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'mintid audit verify' } });
    try {
      const report = await verifyAuditTrail(sql, { anchors, ...(brandId ? { brandId } : {}) }).catch((error: { code?: string }) => {
        if (error.code === '42P01' || error.code === '3F000') {
          throw new Error('this database has no MintID audit trail (mintid.audit_records); apply the migrations first: mintid migrate');
        }
        throw error;
      });
      if (anchorFile && report.breaks.length === 0) await writeAnchors(anchorFile, anchors, report.heads);
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
      return report.breaks.length === 0 ? 0 : EXIT_AUDIT_BROKEN;
    } finally {
      await sql.end();
      await database.stop();
    }
  },
};

/** DATABASE_URL as given; else the local embedded database, as `mintid migrate` does. */
async function openDatabase(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, stop: async () => {} };
  const [{ parseLocalEnv }, { openLocalDatabase }] = await Promise.all([import('../local/config.js'), import('../local/database.js')]);
  return openLocalDatabase(parseLocalEnv());
}

export const auditCommand: Command = {
  summary: 'check the tamper-evident audit trail (verify)',
  subcommands: { verify: verifyCommand },
};
