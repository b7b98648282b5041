// The shared edge-function code's public surface, for the Deno adapters and the Node local stack.
export {
  createIntrospectFunction, createJwksFunction, createTokenFunction, verifySlotsFor, type Handler, type TokenFunction, type TokenFunctionOptions,
} from './functions.ts';
export { EnvError, parseJwksEnv, parseTokenEnv, type JwksEnv, type PrivateSigningJwk, type RawEnv, type TokenEnv } from './env.ts';
export { createTokenHandler, DUMMY_SECRET_HASH, type TokenConfig, type TokenHandlerDeps } from './token-handler.ts';
export { createJwksHandler, type JwksHandlerOptions } from './jwks-handler.ts';
export { authorizationServerMetadata, createDiscoveryHandler, isDiscoveryPath, type DiscoveryConfig } from './discovery.ts';
export { createIntrospectHandler, INTROSPECT_SCOPE, type IntrospectHandlerDeps } from './introspect-handler.ts';
export { createSecretMatcher, previousSecretOpen, type SecretMatch, type SecretMatcher } from './client-secret.ts';
export { importSigningKeys, type PrivateEcJwk, type PublicSigningJwk, type SigningKeys } from './keys.ts';
export {
  createSupabaseCredentialStore, credentialFromLookup, lookupResultSchema, parseLookupResult, parseRecordResult, StoreError,
  type Credential, type CredentialStore, type LookupResult, type LookupWithFailures, type SupabaseStoreOptions, type UsageExtras,
} from './store.ts';
export { createPostgresCredentialStore, type PostgresStoreOptions } from './postgres-store.ts';
export { createUsageRecorder, type UseKind, type UsageRecorder, type UsageRecorderOptions } from './usage-recorder.ts';
export { VerifyCache, type VerifyCacheOptions } from './verify-cache.ts';
export { readClientAuthentication, type ClientAuthentication } from './client-auth.ts';
export { INVALID_CLIENT_DESCRIPTION, OAUTH_ERROR_STATUS, invalidClient, oauthError, type OAuthErrorCode } from './oauth-errors.ts';
export { verifySecretWasm } from './argon2-wasm.ts';
export {
  BlockList, clientAddress, createSupabaseFailureStore, failureKeys, parseFailureCheck, SuccessLimiter, withLocalBlocks,
  type FailureStore, type SuccessDecision, type SuccessLimiterOptions, type TokenLimits,
} from './rate-limits.ts';
export { argon2Units, defaultVerifyConcurrency, VerifySlots, type VerifySlot, type VerifySlotsOptions } from './verify-slots.ts';
export { readBoundedText, type BoundedBody } from './http.ts';
export { consoleLogger, systemClock, type Clock, type Logger, type VerifySecret } from './ports.ts';
export {
  brandSecretReaderFromEnv, BrandSecretError, createBrandSecretReader,
  type BrandSecretReader, type BrandSecretReaderOptions, type BrandSecretRef, type BrandSecretValue,
} from './brand-secrets.ts';
