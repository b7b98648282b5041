// Edge function `jwks` (SPEC §7): a thin adapter serving the public signing keys.
// PORT, when set, picks the port (local runs and tests).
import { createJwksFunction } from '../_shared/functions.ts';

const jwks = await createJwksFunction({ env: Deno.env.toObject() });

const port = Deno.env.get('PORT');
Deno.serve(port ? { port: Number(port), hostname: '127.0.0.1' } : {}, jwks.handler);
