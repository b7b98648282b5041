// Load for a profile: the bench world, then only HTTP rotate (or warm token exchanges) at
// concurrency 16 for BENCH_SECONDS. Run under `node --cpu-prof --cpu-prof-dir=DIR --import tsx
// bench/profile.ts rotate|token`, then `npx tsx bench/profile-summary.ts DIR/<the API worker's file>`.
import { phc } from '../test/support/fixtures.js';
import { generateClientId, generateClientSecret } from '../src/secrets/generate.js';
import { hashClientSecret } from '../src/secrets/hash.js';
import { runHttp } from './http-load.js';
import { createPostgrestCaller } from './postgrest-sql.js';
import { createArgs, createCredential } from './rpc.js';
import { setUp } from './setup.js';

const what = process.argv[2] ?? 'rotate';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const env = await setUp((line) => process.stderr.write(`… ${line}\n`));
try {
  const call = await createPostgrestCaller(env);
  const headers = { apikey: env.anonKey, authorization: `Bearer ${env.adminUser.jwt}`, 'content-type': 'application/json', 'content-profile': 'public' };
  let cell;
  if (what === 'rotate') {
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
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    const request = { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' };
    cell = await runHttp({ url: `${env.apiUrl}/functions/v1/token`, connections: 16, seconds, warmupSeconds: 1, next: () => request });
  }
  console.log(`${what}: ${cell.perSecond.toFixed(0)}/s p50 ${cell.p50} ms p99 ${cell.p99} ms failures ${cell.failures}`);
} finally {
  await env.close();
}
