// `mintid-credentials/client`: the typed client alone — over any supabase-js client, in Node or a
// browser. It imports neither the local stack, the gateway nor the CLI (test/e2e/package.test.ts).
export { createCredentialsClient } from './credentials-client.js';
export type { CredentialsClient, CredentialsClientOptions, IssuedCredential, RpcClient } from './credentials-client.js';
export {
  ConflictError, ForbiddenError, InvalidInputError, MintIdError, NotAuthenticatedError, TransportError, UnexpectedError,
  toMintIdError,
} from './errors.js';
export type { MintIdErrorCode, PostgrestErrorLike } from './errors.js';
export type {
  CreateCredentialParams, CreateCredentialRecordParams, CredentialEvent, CredentialStatus, CredentialSummary,
  ListCredentialsParams, ListEventsParams, Page, RevokeCredentialParams, RotateSecretParams, RotateSecretRecordParams,
} from './schemas.js';
