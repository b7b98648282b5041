// The page's side of hash-worker.ts: one worker, reused, with the stage of each request reported
// so the UI can show progress ("Generating", "Hashing in your browser", then "Sending the hash").
import type { HashRequest, HashResponse, HashStage, IssuedSecret } from './hash-protocol.js';

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { onStage: (stage: HashStage) => void; resolve: (s: IssuedSecret) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module', name: 'mintid-secret-hasher' });
  worker.onmessage = (event: MessageEvent<HashResponse>) => {
    const message = event.data;
    const entry = pending.get(message.id);
    if (!entry) return;
    if (message.stage === 'done') {
      pending.delete(message.id);
      entry.resolve({ clientSecret: message.clientSecret, clientId: message.clientId, hash: message.hash, hashMs: message.hashMs });
    } else if (message.stage === 'error') {
      pending.delete(message.id);
      entry.reject(new Error(`Could not hash the secret in this browser: ${message.message}`));
    } else {
      entry.onStage(message.stage);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const [id, entry] of pending) {
      pending.delete(id);
      entry.reject(new Error('The hashing worker failed to start in this browser.'));
    }
    worker?.terminate();
    worker = undefined;
  };
  return worker;
}

/** Generates a client secret (and a client id when asked) and its argon2id hash in the Web Worker. */
export function makeSecret(options: { withClientId: boolean; onStage?: (stage: HashStage) => void }): Promise<IssuedSecret> {
  const id = nextId++;
  return new Promise<IssuedSecret>((resolve, reject) => {
    pending.set(id, { onStage: options.onStage ?? (() => {}), resolve, reject });
    const request: HashRequest = { id, withClientId: options.withClientId };
    getWorker().postMessage(request);
  });
}
