// Messages between the page and hash-worker.ts.

export interface HashRequest {
  id: number;
  /** Also generate a client id (new credentials; a rotation keeps its id). */
  withClientId: boolean;
}

export type HashStage = 'generating' | 'hashing';

export type HashResponse =
  | { id: number; stage: HashStage }
  | { id: number; stage: 'done'; clientSecret: string; clientId: string | null; hash: string; hashMs: number }
  | { id: number; stage: 'error'; message: string };

/** A secret made and hashed in the worker: the secret stays in the page, only `hash` is sent. */
export interface IssuedSecret {
  clientSecret: string;
  clientId: string | null;
  hash: string;
  hashMs: number;
}
