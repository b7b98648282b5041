// A credential's status as a badge: the word itself, colour only as a second cue.
import type { CredentialStatus } from '../../../src/client/schemas.js';

const LABEL: Record<CredentialStatus, string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };

export function StatusBadge(props: { status: CredentialStatus }) {
  return <span class={`badge badge-${props.status}`}>{LABEL[props.status]}</span>;
}
