// `mintid-credentials/client`: the typed client alone — over any supabase-js client, in Node or a
// browser. It imports neither the local stack, the gateway nor the CLI (test/e2e/package.test.ts).
// Every client export of src/index.ts is here too (the test checks it).
export { createCredentialsClient } from './credentials-client.js';
export type { CredentialsClient, CredentialsClientOptions, IssuedCredential, RpcClient } from './credentials-client.js';
export { createBrandsClient } from './brands.js';
export type { BrandsClient } from './brands.js';
export type {
  AddMemberParams, BrandEvent, BrandMember, BrandRole, CreateBrandParams, ListBrandEventsParams, MyBrand, RemoveMemberParams,
  SetMemberRoleParams,
} from './brand-schemas.js';
export {
  ConflictError, ForbiddenError, InvalidInputError, MintIdError, NotAuthenticatedError, TransportError, UnexpectedError,
  toMintIdError,
} from './errors.js';
export type { MintIdErrorCode, PostgrestErrorLike } from './errors.js';
export type {
  CreateCredentialParams, CreateCredentialRecordParams, CredentialEvent, CredentialStatus, CredentialSummary,
  EndRotationGraceParams, ListCredentialsParams, ListEventsParams, Page, RevocationReasonCode, RevokeCredentialParams,
  RevokeCredentialsParams, RotateSecretParams, RotateSecretRecordParams,
} from './schemas.js';
export { MAX_GRACE_SECONDS, REVOCATION_REASON_CODES } from './schemas.js';
export { createSecretsClient, SECRET_DESCRIPTION_MAX, SECRET_NAME_PATTERN, SECRET_VALUE_MAX_BYTES } from './secrets.js';
export type {
  BrandSecret, BrandSecretRefParams, BrandSecretValue, CreateBrandSecretParams, ListBrandSecretsParams, SecretsClient,
  UpdateBrandSecretParams,
} from './secrets.js';
