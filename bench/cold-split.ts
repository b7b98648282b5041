// Where a cold exchange's CPU goes, without HTTP and without the bench client: the token function
// in this process over the bench database (SUPABASE_DB_URL), cold credentials each used once at
// concurrency 3 (the verification budget on Node; COLD_SPLIT_CONCURRENCY), once with the real argon2 verifier and once with
// a verifier that answers at once (everything but argon2), next to bare verifications at the same
// concurrency. `npx tsx bench/cold-split.ts` (BENCH_SECONDS is not used: COLD_SPLIT_COUNT requests each).
import { generateClientId, generateClientSecret } from '../src/secrets/generate.js';
import { hashClientSecret, verifyClientSecret } from '../src/secrets/hash.js';
import { generateSigningKey } from '../src/secrets/signing-key.js';
import { createTokenFunction } from '../supabase/functions/_shared/functions.js';
import { cpuMeter, measureCpu } from './cpu.js';
import { inParallel } from './measure.js';
import { createPostgrestCaller } from './postgrest-sql.js';
import { basicAuth, createArgs, createCredential } from './rpc.js';
import { setUp } from './setup.js';

/** This process's user and system CPU since `from`, per operation. */
const split = (from: NodeJS.CpuUsage, n: number) => {
  const d = process.cpuUsage(from);
  return ` (this process: user ${(d.user / 1000 / n).toFixed(2)}, system ${(d.system / 1000 / n).toFixed(2)})`;
};
const count = Number(process.env.COLD_SPLIT_COUNT ?? 400);
const concurrency = Number(process.env.COLD_SPLIT_CONCURRENCY ?? 3);
const log = (line: string) => process.stderr.write(`… ${line}\n`);
const env = await setUp(log);
try {
  const call = await createPostgrestCaller(env);
  const meter = await cpuMeter(env.admin);
  const make = async (prefix: string) => inParallel(Array.from({ length: count }, (_, i) => i), 4, async (i) => {
    const secret = generateClientSecret();
    const clientId = generateClientId(`${prefix}${i}_`);
    const hash = await hashClientSecret(secret);
    await createCredential(call, createArgs(env.workBrandId, clientId, hash));
    return { clientId, secret, hash };
  });
  log(`creating 2 × ${count} cold credentials…`);
  const [real, stub] = [await make('split_real_'), await make('split_stub_')];
  const signing = JSON.stringify([await generateSigningKey()]);
  const run = async (label: string, verify: (phc: string, secret: string) => Promise<boolean>, clients: typeof real) => {
    const fn = await createTokenFunction({
      env: { SUPABASE_URL: 'http://127.0.0.1:9/unused', SUPABASE_SERVICE_ROLE_KEY: 'unused', SUPABASE_DB_URL: env.adminUrl,
        MINTID_SIGNING_KEYS: signing, MINTID_TOKEN_EXCHANGES_PER_MINUTE: '999999' },
      verifySecret: verify, cpus: 2, threadPool: 4, log: () => {},
    });
    try {
      // one exchange first: connections and prepared statements, not measured
      const first = clients.shift()!;
      const request = (c: typeof first) => new Request('http://127.0.0.1/functions/v1/token', {
        method: 'POST', body: 'grant_type=client_credentials',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': '127.0.0.1',
          Authorization: basicAuth(c.clientId, c.secret) },
      });
      await fn.handler(request(first));
      const own = process.cpuUsage();
      const started = performance.now();
      const { cpuMs } = await measureCpu(meter, () => inParallel(clients, concurrency, async (c) => {
        const res = await fn.handler(request(c));
        if (res.status !== 200) throw new Error(`${label}: answered ${res.status}`);
        await res.arrayBuffer();
      }));
      const rate = (clients.length * 1000) / (performance.now() - started);
      console.log(`${label}: ${(cpuMs / clients.length).toFixed(2)} CPU ms per exchange${split(own, clients.length)}, ${rate.toFixed(0)}/s`);
    } finally {
      await fn.close();
    }
  };
  const hashes = real.map((c) => ({ hash: c.hash, secret: c.secret }));
  const bare = async () => {
    const own = process.cpuUsage();
    const started = performance.now();
    const { cpuMs } = await measureCpu(meter, () => inParallel(hashes, concurrency, (c) => verifyClientSecret(c.hash, c.secret)));
    const rate = (hashes.length * 1000) / (performance.now() - started);
    console.log(`bare argon2 verify: ${(cpuMs / hashes.length).toFixed(2)} CPU ms per verification${split(own, hashes.length)}, ${rate.toFixed(0)}/s`);
  };
  // Interleaved, so that a change in the box's load shows as a difference between the two bare rows.
  await bare();
  await run('cold exchange, real argon2', verifyClientSecret, real);
  await bare();
  await run('cold exchange, verifier answering at once', async () => true, stub);
  await bare();
  console.log(`PostgreSQL included: ${meter.database}`);
} finally {
  await env.close();
}
