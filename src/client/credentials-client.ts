import type { z } from 'zod';
import { generateClientId, generateClientSecret } from '../secrets/generate.js';
import { MintIdError } from './errors.js';
import { callRpc, parseParams, type RpcClient } from './rpc.js';
import * as s from './schemas.js';

export type { RpcClient } from './rpc.js';

export interface CredentialsClientOptions {
  /**
   * Hashes a client secret to an argon2id PHC string on this side of the wire. Default: the Node
   * hasher (`@node-rs/argon2`); in browsers pass `hashClientSecretInBrowser` (WASM).
   */
  hashSecret?: (secret: string) => Promise<string>;
}

/** A new credential; `clientSecret` exists only here, once — it was never sent to the server. */
export interface IssuedCredential {
  credentialId: string;
  clientId: string;
  clientSecret: string;
}

const defaultHashSecret = async (secret: string) => (await import('../secrets/hash.js')).hashClientSecret(secret);

/**
 * A typed client over `supabase.rpc()` for the credential RPCs. Parameters are checked with zod
 * before anything is sent; results are checked against the contract; every failure is one of
 * the MintIdError classes. Secrets are generated and hashed locally: only hashes leave.
 */
export function createCredentialsClient(supabase: RpcClient, options: CredentialsClientOptions = {}) {
  const hashSecret = options.hashSecret ?? defaultHashSecret;

  const call = <T extends z.ZodTypeAny>(fn: string, args: Record<string, unknown>, result: T): Promise<z.output<T>> =>
    callRpc(supabase, fn, args, result);

  const client = {
    /** Creates a credential from a hash you computed (the RPC as-is). */
    async createCredentialRecord(params: s.CreateCredentialRecordParams) {
      const p = parseParams(s.createCredentialRecordParams, params);
      return call('create_api_credential_record', {
        _brand_id: p.brandId, _name: p.name, _client_id: p.clientId, _client_secret_hash: p.clientSecretHash,
        _scopes: p.scopes, _metadata: p.metadata ?? {}, _expires_at: p.expiresAt ?? null,
      }, s.createResult);
    },

    /** Generates a client secret (and a client id unless given), hashes it here, creates the credential. */
    async createCredential(params: s.CreateCredentialParams): Promise<IssuedCredential> {
      const p = parseParams(s.createCredentialParams, params);
      const clientId = p.clientId ?? generateClientId();
      const clientSecret = generateClientSecret();
      const { credentialId } = await client.createCredentialRecord({ ...p, clientId, clientSecretHash: await hashSecret(clientSecret) });
      return { credentialId, clientId, clientSecret };
    },

    /** Revokes a credential for good, with a reason code (default `unspecified`). Ends an open rotation grace. */
    async revokeCredential(params: s.RevokeCredentialParams) {
      const p = parseParams(s.revokeCredentialParams, params);
      return call('revoke_api_credential_record', {
        _brand_id: p.brandId, _credential_id: p.credentialId, _reason: p.reason, _reason_code: p.reasonCode ?? 'unspecified',
      }, s.revokeResult);
    },

    /**
     * Revokes every not yet revoked credential selected by ids or by metadata containment (at most
     * 1000), all or nothing, one audit record each.
     */
    async revokeCredentials(params: s.RevokeCredentialsParams) {
      const p = parseParams(s.revokeCredentialsParams, params);
      return call('revoke_api_credential_records', {
        _brand_id: p.brandId, _reason: p.reason, _credential_ids: p.credentialIds ?? null,
        _metadata_contains: p.metadataContains ?? null, _reason_code: p.reasonCode ?? 'unspecified',
      }, s.revokeCredentialsResult);
    },

    /** Ends a rotation grace now: only the current secret authenticates from here on. */
    async endRotationGrace(params: s.EndRotationGraceParams) {
      const p = parseParams(s.endRotationGraceParams, params);
      return call('end_api_credential_rotation_grace', {
        _brand_id: p.brandId, _credential_id: p.credentialId, _reason: p.reason,
      }, s.endRotationGraceResult);
    },

    /** Replaces the secret hash with one you computed (the RPC as-is). */
    async rotateSecretRecord(params: s.RotateSecretRecordParams) {
      const p = parseParams(s.rotateSecretRecordParams, params);
      return call('rotate_api_credential_secret_record', {
        _brand_id: p.brandId, _credential_id: p.credentialId, _new_secret_hash: p.newSecretHash, _reason: p.reason,
        _grace_seconds: p.graceSeconds ?? 0,
      }, s.rotateResult);
    },

    /**
     * Generates and hashes a new secret here, rotates to it, and returns it (once). With
     * `graceSeconds` the previous secret keeps working until `previousSecretExpiresAt`.
     */
    async rotateSecret(params: s.RotateSecretParams): Promise<{
      credentialId: string; rotatedAt: string; previousSecretExpiresAt: string | null; clientSecret: string;
    }> {
      const p = parseParams(s.rotateSecretParams, params);
      const clientSecret = generateClientSecret();
      const result = await client.rotateSecretRecord({ ...p, newSecretHash: await hashSecret(clientSecret) });
      return { ...result, clientSecret };
    },

    /** One page of the brand's credentials, newest first; follow `nextCursor`. Never a hash. */
    async listCredentials(params: s.ListCredentialsParams): Promise<s.Page<s.CredentialSummary>> {
      const p = parseParams(s.listCredentialsParams, params);
      return call('list_api_credential_records', {
        _brand_id: p.brandId, _status: p.status ?? null, _limit: p.limit ?? 50, _cursor: p.cursor ?? null,
      }, s.listCredentialsResult);
    },

    /** One page of the brand's credential events (optionally of one credential), newest first. */
    async listEvents(params: s.ListEventsParams): Promise<s.Page<s.CredentialEvent>> {
      const p = parseParams(s.listEventsParams, params);
      return call('list_api_credential_events', {
        _brand_id: p.brandId, _credential_id: p.credentialId ?? null, _limit: p.limit ?? 50, _cursor: p.cursor ?? null,
      }, s.listEventsResult);
    },
  };
  return client;
}

export type CredentialsClient = ReturnType<typeof createCredentialsClient>;
export { MintIdError };
