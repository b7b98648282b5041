// The credential lifecycle additions of SPEC §13 (rotation grace, reason codes, rejected uses) as
// the typed client offers them. Until the lifecycle client is on main, the console runs without
// them (the grace and reason-code controls are hidden); once it is, everything here is typed by
// src/client/schemas.ts and credentials-client.ts and this file shrinks to the re-exports.
import * as schemas from '../../src/client/schemas.js';
import type { CredentialSummary } from '../../src/client/schemas.js';
import type { Api } from './api.js';

const exported = schemas as unknown as Record<string, unknown>;

/** The revocation reason codes, or null when this client predates them. */
export const REASON_CODES = (exported['REVOCATION_REASON_CODES'] as readonly string[] | undefined) ?? null;
/** Whether the typed client knows rotation grace and reason codes. */
export const HAS_LIFECYCLE = REASON_CODES !== null;

/** The lifecycle fields of a listed credential (absent on an older client). */
export interface LifecycleFields {
  previousSecretExpiresAt: string | null;
  previousSecretLastUsedAt: string | null;
  lastRejectedUseAt: string | null;
  rejectedUseCount: number;
  revocationReasonCode: string | null;
}
export const lifecycleOf = (c: CredentialSummary) => c as CredentialSummary & Partial<LifecycleFields>;

type EndGrace = (p: { brandId: string; credentialId: string; reason: string }) => Promise<unknown>;
/** Ends a rotation grace through the typed client's endRotationGrace. */
export async function endRotationGrace(api: Api, params: { brandId: string; credentialId: string; reason: string }): Promise<void> {
  const fn = (api.credentials as unknown as { endRotationGrace?: EndGrace }).endRotationGrace;
  if (!fn) throw new Error('This console was built without the rotation-grace client.');
  await fn(params);
}
