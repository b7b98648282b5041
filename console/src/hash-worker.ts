// The Web Worker that makes a credential's secret: it generates the client secret (and, for a new
// credential, the client id) and hashes the secret with argon2id in WASM (hash-wasm, the project's
// browser path: m=19456 KiB, t=2, p=1), so the page stays responsive during the ~0.1–0.5 s of
// hashing. Only the main thread's copy of the secret is ever shown; nothing here touches the network.
import { generateClientId, generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecretInBrowser } from '../../src/secrets/browser.js';
import type { HashRequest, HashResponse } from './hash-protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<HashRequest>) => void) | null;
  postMessage(message: HashResponse): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = async (event) => {
  const { id, withClientId } = event.data;
  try {
    scope.postMessage({ id, stage: 'generating' });
    const clientSecret = generateClientSecret();
    const clientId = withClientId ? generateClientId() : null;
    scope.postMessage({ id, stage: 'hashing' });
    const started = performance.now();
    const hash = await hashClientSecretInBrowser(clientSecret);
    scope.postMessage({ id, stage: 'done', clientSecret, clientId, hash, hashMs: performance.now() - started });
  } catch (error) {
    scope.postMessage({ id, stage: 'error', message: error instanceof Error ? error.message : 'hashing failed' });
  }
};
