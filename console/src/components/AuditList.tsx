// A list of audit records (a credential's or the brand's), newest first, with "Load more".
import { reasonLabel } from './RevocationFields.js';
import { Time } from './Time.js';

export interface AuditEntry {
  id: string;
  action: string;
  actor: string;
  reason: string | null;
  occurredAt: string;
  subject?: string;
  reasonCode?: string | null;
  details?: Record<string, unknown>;
}

/** What a record's details say, in words: a role change, which fields of a secret changed. */
function describeDetails(details: Record<string, unknown> | undefined): string | null {
  if (!details) return null;
  const parts: string[] = [];
  if (typeof details.previous_role === 'string' && typeof details.role === 'string') parts.push(`${details.previous_role} → ${details.role}`);
  else if (typeof details.role === 'string') parts.push(`role ${details.role}`);
  if (Array.isArray(details.changed)) parts.push(`changed: ${details.changed.join(', ')}`);
  if (typeof details.grace_seconds === 'number' && details.grace_seconds > 0) parts.push(`grace ${Math.round(details.grace_seconds / 3600 * 10) / 10} h`);
  return parts.length ? parts.join(' · ') : null;
}

const ACTION_LABEL: Record<string, string> = {
  created: 'Created', rotated: 'Secret rotated', revoked: 'Revoked', rotation_grace_ended: 'Rotation grace ended',
  expiry_rewritten: 'Expiry "infinity" changed to no expiry',
  brand_created: 'Brand created', member_added: 'Member added', member_role_changed: 'Member role changed',
  member_removed: 'Member removed', secret_created: 'Secret created', secret_updated: 'Secret updated', secret_deleted: 'Secret deleted',
};

export function actionLabel(action: string): string {
  return ACTION_LABEL[action] ?? action.replace(/_/g, ' ');
}

export function AuditList(props: { entries: AuditEntry[]; label: string; actorName?: (actor: string) => string }) {
  return (
    <ol class="audit-list" aria-label={props.label}>
      {props.entries.map((entry) => (
        <li key={entry.id} class={`audit-item audit-${entry.action}`}>
          <div class="audit-head">
            {/* One run of text: the subject wraps like words do, and the no-break space keeps "·" after the action. */}
            <span class="audit-title"><strong>{actionLabel(entry.action)}</strong>{entry.subject ? <span class="muted">{'\u00a0· '}{entry.subject}</span> : null}</span>
            <Time value={entry.occurredAt} />
          </div>
          <div class="audit-meta">
            <span>by <code>{props.actorName ? props.actorName(entry.actor) : entry.actor}</code></span>
            {entry.reasonCode && entry.reasonCode !== 'unspecified' ? <span class="pill reason-code">{reasonLabel(entry.reasonCode)}</span> : null}
            {describeDetails(entry.details) ? <span class="pill">{describeDetails(entry.details)}</span> : null}
            {entry.reason ? <span class="audit-reason">“{entry.reason}”</span> : null}
          </div>
        </li>
      ))}
    </ol>
  );
}
