// Edge function `introspect` (RFC 7662, SPEC §14): a thin adapter. Parses the environment once,
// builds the handler from _shared and serves it. PORT, when set, picks the port (local runs and tests).
import { createIntrospectFunction } from '../_shared/functions.ts';
import { verifySecretWasm } from '../_shared/argon2-wasm.ts';

const introspect = await createIntrospectFunction({ env: Deno.env.toObject(), verifySecret: verifySecretWasm });

// Flush pending uses of caller credentials when the runtime retires this worker or the process is stopped.
addEventListener('beforeunload', () => void introspect.close());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  try {
    Deno.addSignalListener(signal, () => void introspect.close().finally(() => Deno.exit(0)));
  } catch {
    // Some runtimes (the hosted edge runtime) do not offer signal listeners; beforeunload covers them.
  }
}

const port = Deno.env.get('PORT');
Deno.serve(port ? { port: Number(port), hostname: '127.0.0.1' } : {}, introspect.handler);
