// Stands in for src/secrets/hash.ts (Node's @node-rs/argon2) in the browser bundle: the console
// always hashes in its Web Worker (hash-worker.ts) and never reaches the Node default.
export async function hashClientSecret(): Promise<string> {
  throw new Error('The console hashes secrets in its Web Worker; the Node hasher is not available in the browser.');
}
