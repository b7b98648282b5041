// The public surface of the MintID Credentials client package. Every export is named.
export { createCredentialsClient } from './client/credentials-client.js';
export type { CredentialsClient, CredentialsClientOptions, IssuedCredential, RpcClient } from './client/credentials-client.js';
export { createBrandsClient } from './client/brands.js';
export type { BrandsClient } from './client/brands.js';
export type {
  AddMemberParams, BrandEvent, BrandMember, BrandRole, CreateBrandParams, ListBrandEventsParams, MyBrand, RemoveMemberParams,
  SetMemberRoleParams,
} from './client/brand-schemas.js';
export {
  ConflictError, ForbiddenError, InvalidInputError, MintIdError, NotAuthenticatedError, TransportError, UnexpectedError,
  toMintIdError,
} from './client/errors.js';
export type { MintIdErrorCode, PostgrestErrorLike } from './client/errors.js';
export type {
  CreateCredentialParams, CreateCredentialRecordParams, CredentialEvent, CredentialStatus, CredentialSummary,
  ListCredentialsParams, ListEventsParams, Page, RevokeCredentialParams, RotateSecretParams, RotateSecretRecordParams,
  EndRotationGraceParams, RevokeCredentialsParams, RevocationReasonCode,
} from './client/schemas.js';
export { MAX_GRACE_SECONDS, REVOCATION_REASON_CODES } from './client/schemas.js';
export {
  CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX, generateClientId, generateClientSecret, isWellFormedClientSecret,
} from './secrets/generate.js';
export { ARGON2_PARAMS, argon2idPhcProblem, parseArgon2idPhc } from './secrets/phc.js';
export type { Argon2Params, PhcProblem } from './secrets/phc.js';
export { hashClientSecretInBrowser, verifyClientSecretInBrowser } from './secrets/browser.js';
export { createSecretsClient, SECRET_DESCRIPTION_MAX, SECRET_NAME_PATTERN, SECRET_VALUE_MAX_BYTES } from './client/secrets.js';
export type {
  BrandSecret, BrandSecretRefParams, BrandSecretValue, CreateBrandSecretParams, ListBrandSecretsParams, SecretsClient,
  UpdateBrandSecretParams,
} from './client/secrets.js';
