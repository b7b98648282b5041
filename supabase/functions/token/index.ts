// Edge function `token` (SPEC §7): a thin adapter. Parses the environment once, builds the
// handler from _shared and serves it. PORT, when set, picks the port (local runs and tests).
import { createTokenFunction } from '../_shared/functions.ts';
import { verifySecretWasm } from '../_shared/argon2-wasm.ts';

const token = await createTokenFunction({ env: Deno.env.toObject(), verifySecret: verifySecretWasm });

// Flush pending last_used_at updates when the runtime retires this worker or the process is stopped.
addEventListener('beforeunload', () => void token.close());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  try {
    Deno.addSignalListener(signal, () => void token.close().finally(() => Deno.exit(0)));
  } catch {
    // Some runtimes (the hosted edge runtime) do not offer signal listeners; beforeunload covers them.
  }
}

const port = Deno.env.get('PORT');
Deno.serve(port ? { port: Number(port), hostname: '127.0.0.1' } : {}, token.handler);
