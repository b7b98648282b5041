// Client-side secret handling: generation, PHC rules, argon2id hashing (Node and WASM), signing keys.
export { CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX, generateClientId, generateClientSecret, isWellFormedClientSecret } from './generate.js';
export {
  ARGON2_PARAMS, ARGON2_WINDOW, PHC_PROBLEMS, PHC_PROBLEM_MESSAGES, PhcError, argon2idPhcProblem, argon2idPhcSchema,
  assertArgon2Params, decodeBase64Unpadded, encodeBase64Unpadded, formatArgon2idPhc, parseArgon2idPhc,
  parseArgon2idPhcOrThrow, type Argon2Params, type Argon2idPhc, type PhcParseResult, type PhcProblem,
} from './phc.js';
export { hashClientSecret, verifyClientSecret } from './hash.js';
export { constantTimeEqual, hashClientSecretInBrowser, verifyClientSecretInBrowser } from './browser.js';
export { generateSigningKey, type SigningJwk } from './signing-key.js';
