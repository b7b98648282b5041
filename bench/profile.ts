// Load for a profile: the bench world, then only HTTP rotate, warm token exchanges (one client
// repeating) or cold ones (fresh credentials, each used once: argon2 every time) at concurrency 16
// for BENCH_SECONDS. Run under `node --cpu-prof --cpu-prof-dir=DIR --import tsx bench/profile.ts
// rotate|token|cold`, then `npx tsx bench/profile-summary.ts DIR/<the API worker's file>`. Prints
// the CPU per request too: this process (every thread) and PostgreSQL, apart (bench/cpu.ts).
import { phc } from '../test/support/fixtures.js';
import { generateClientId, generateClientSecret } from '../src/secrets/generate.js';
import { hashClientSecret } from '../src/secrets/hash.js';
import { cpuMeter, measureCpu } from './cpu.js';
import { runHttp } from './http-load.js';
import { inParallel } from './measure.js';
import { createPostgrestCaller } from './postgrest-sql.js';
import { basicAuth, createArgs, createCredential, httpHeaders } from './rpc.js';
import { setUp } from './setup.js';

const what = process.argv[2] ?? 'rotate';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const env = await setUp((line) => process.stderr.write(`… ${line}\n`));
try {
  const call = await createPostgrestCaller(env);
  const headers = httpHeaders(env);
  let cell;
  const meter = await cpuMeter(env.admin);
  const own = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  let split = { process: 0, total: 0 };
  if (what === 'cold') {
    const count = Number(process.env.PROFILE_COLD_CREDENTIALS ?? 1500);
    const clients = await inParallel(Array.from({ length: count }, (_, i) => i), 4, async (i) => {
      const secret = generateClientSecret();
      const clientId = generateClientId(`prof_cold${i}_`);
      await createCredential(call, createArgs(env.workBrandId, clientId, await hashClientSecret(secret)));
      return basicAuth(clientId, secret);
    });
    await new Promise((resolve) => setTimeout(resolve, 2000)); // let autovacuum of the inserts settle
    let n = 0;
    const before = own();
    const measured = await measureCpu(meter, () => runHttp({
      url: `${env.apiUrl}/functions/v1/token`, connections: 16, seconds, warmupSeconds: 0, amount: clients.length,
      next: () => {
        const basic = clients[n];
        n += 1;
        return basic ? { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' } : undefined;
      },
    }));
    cell = measured.value;
    split = { process: own() - before, total: measured.cpuMs };
  } else if (what === 'rotate') {
    const ids = await Promise.all(Array.from({ length: 64 }, (_, i) => createCredential(call, createArgs(env.tenantBrandIds[i % 16]!, `prof.${i}.${Date.now()}`, phc()))));
    let n = 0;
    cell = await runHttp({
      url: `${env.apiUrl}/rest/v1/rpc/rotate_api_credential_secret_record`, connections: 16, seconds, warmupSeconds: 1,
      next: () => ({ method: 'POST', headers, body: JSON.stringify({ _brand_id: env.tenantBrandIds[(n += 1) % 64 % 16], _credential_id: ids[n % 64], _new_secret_hash: phc(), _reason: 'profile' }) }),
    });
  } else {
    const secret = generateClientSecret();
    const clientId = generateClientId('prof_');
    await createCredential(call, createArgs(env.workBrandId, clientId, await hashClientSecret(secret)));
    const basic = basicAuth(clientId, secret);
    const request = { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' };
    cell = await runHttp({ url: `${env.apiUrl}/functions/v1/token`, connections: 16, seconds, warmupSeconds: 1, next: () => request });
  }
  console.log(`${what}: ${cell.perSecond.toFixed(0)}/s p50 ${cell.p50} ms p99 ${cell.p99} ms failures ${cell.failures}`);
  if (split.total > 0) {
    const each = (x: number) => (x / Math.max(1, cell.count)).toFixed(2);
    console.log(`CPU ms per request: this process ${each(split.process)}, PostgreSQL ${meter.database ? each(split.total - split.process) : 'not visible'}`);
  }
} finally {
  await env.close();
}
