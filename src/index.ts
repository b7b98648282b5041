// The public surface of the MintID Credentials client package: the typed client (every export
// named in ./client/index.ts, also the `mintid-credentials/client` entry) plus the secret helpers.
export * from './client/index.js';
export {
  CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX, generateClientId, generateClientSecret, isWellFormedClientSecret,
} from './secrets/generate.js';
export { ARGON2_PARAMS, argon2idPhcProblem, parseArgon2idPhc } from './secrets/phc.js';
export type { Argon2Params, PhcProblem } from './secrets/phc.js';
export { hashClientSecretInBrowser, verifyClientSecretInBrowser } from './secrets/browser.js';

/**
 * Node: the argon2id PHC hash of a client secret (`@node-rs/argon2`, ARGON2_PARAMS), for the raw
 * create/rotate RPCs. Loaded on first use, so a browser bundle of this entry does not pull in the
 * native binding (browsers: hashClientSecretInBrowser).
 */
export async function hashClientSecret(secret: string): Promise<string> {
  return (await import('./secrets/hash.js')).hashClientSecret(secret);
}
