// The API of `npm start` (startApi: gateway + token/jwks functions) in its own thread, so the
// benchmark's HTTP client does not share an event loop with the server it measures.
import '../src/node-websocket.js';
import { parentPort, workerData } from 'node:worker_threads';
import { startApi, type ApiOptions } from '../src/local/api.js';

export interface ApiWorkerData {
  options: ApiOptions;
  port: number;
}

export type ApiWorkerMessage = { type: 'ready'; url: string } | { type: 'closed' } | { type: 'error'; message: string };

const port = parentPort!;
const { options, port: listenPort } = workerData as ApiWorkerData;
const post = (message: ApiWorkerMessage) => port.postMessage(message);

try {
  const api = await startApi(options);
  const { url } = await api.gateway.listen(listenPort, '127.0.0.1');
  port.on('message', (message: unknown) => {
    if (message !== 'close') return;
    api.close().then(
      () => post({ type: 'closed' }),
      (error: unknown) => post({ type: 'error', message: `closing the API failed: ${(error as Error)?.message}` }),
    );
  });
  post({ type: 'ready', url });
} catch (error) {
  post({ type: 'error', message: `the API did not start: ${(error as Error)?.message}` });
}
