// The table named "Credentials": one row per credential with its name, client id, status badge,
// scopes, lifecycle times, rotation grace and rejected uses, and its actions; a checkbox selects
// a not yet revoked credential for "Revoke selected". Explicit table
// roles keep the semantics when narrow screens lay rows out as cards.
import type { CredentialSummary } from '../../../src/client/schemas.js';
import { reasonLabel } from './RevocationFields.js';
import { StatusBadge } from './StatusBadge.js';
import { formatTime, Time } from './Time.js';

function Grace(props: { credential: CredentialSummary; onEnd: (c: CredentialSummary) => void }) {
  const { previousSecretExpiresAt: until, previousSecretLastUsedAt: lastUsed } = props.credential;
  if (!until || new Date(until).getTime() <= Date.now()) return <span class="muted">—</span>;
  const title = `Previous secret works until ${formatTime(until)}; last used ${lastUsed ? formatTime(lastUsed) : 'never'}`;
  return (
    <span class="grace" title={title}>
      <span class="grace-until"><span class="visually-hidden">previous secret </span>until <Time value={until} sameDayTimeOnly /></span>
      <span class="visually-hidden">, last used {lastUsed ? formatTime(lastUsed) : 'never'}</span>
      <span aria-hidden="true" class="grace-dot"> · </span>
      <button type="button" class="link-button" onClick={() => props.onEnd(props.credential)} aria-label={`End grace now for ${props.credential.name}`}>End grace</button>
    </span>
  );
}

function RejectedUses(props: { credential: CredentialSummary }) {
  const { rejectedUseCount: count, lastRejectedUseAt: last } = props.credential;
  if (!count) return <span class="muted">0</span>;
  return <span class="warning-text">{count} <small class="rejected-last">last <Time value={last} /></small></span>;
}

/** A scope on one line; one too long for its column (over 20 characters) may wrap after its ":" and "." only, never inside a word. */
function scopeWithBreaks(scope: string) {
  if (scope.length <= 20) return scope;
  return scope.split(/(?<=[:.])/).map((part, i) => <span key={i}>{i > 0 ? <wbr /> : null}{part}</span>);
}

/** Whether a credential can be selected for "Revoke selected" (a revoked one cannot be revoked again). */
export const selectable = (c: CredentialSummary) => c.status !== 'revoked';

export function CredentialsTable(props: {
  items: CredentialSummary[];
  /** Ids of the selected credentials (for "Revoke selected"). */
  selected: ReadonlySet<string>;
  onToggle: (c: CredentialSummary, selected: boolean) => void;
  onRotate: (c: CredentialSummary) => void;
  onRevoke: (c: CredentialSummary) => void;
  onHistory: (c: CredentialSummary) => void;
  onEndGrace: (c: CredentialSummary) => void;
}) {
  return (
    <div class="table-wrap">
      <table class="data-table credentials-table responsive-table" role="table" aria-label="Credentials">
        <thead role="rowgroup">
          <tr role="row">
            <th role="columnheader" scope="col" class="cell-select"><span class="visually-hidden">Select</span></th>
            <th role="columnheader" scope="col">Name</th>
            <th role="columnheader" scope="col">Status</th>
            <th role="columnheader" scope="col">Scopes</th>
            <th role="columnheader" scope="col">Created</th>
            <th role="columnheader" scope="col">Expires</th>
            <th role="columnheader" scope="col">Last used</th>
            <th role="columnheader" scope="col">Rotated</th>
            <th role="columnheader" scope="col">Grace</th>
            <th role="columnheader" scope="col">Rejected uses</th>
            <th role="columnheader" scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {props.items.map((c) => (
            <tr role="row" key={c.id} class={`status-${c.status}${props.selected.has(c.id) ? ' selected' : ''}`}>
              <td role="cell" data-label="Select" class="cell-select">
                {selectable(c) ? (
                  <input type="checkbox" aria-label={`Select ${c.name}`} checked={props.selected.has(c.id)}
                    onChange={(e) => props.onToggle(c, e.currentTarget.checked)} />
                ) : null}
              </td>
              <td role="cell" data-label="Name" class="cell-name">
                <span class="credential-name">{c.name}</span>
                <code class="client-id">{c.clientId}</code>
              </td>
              <td role="cell" data-label="Status">
                <div class="status-cell">
                <StatusBadge status={c.status} />
                {c.revocationReasonCode && c.revocationReasonCode !== 'unspecified' ? <small class="revocation-code">{reasonLabel(c.revocationReasonCode)}</small> : null}
                {c.revocationReason ? <small class="muted revocation-reason" title={c.revocationReason}>{c.revocationReason}</small> : null}
                </div>
              </td>
              <td role="cell" data-label="Scopes"><ul class="scope-list">{c.scopes.map((s) => <li key={s} class="pill">{scopeWithBreaks(s)}</li>)}</ul></td>
              <td role="cell" data-label="Created"><Time value={c.createdAt} /></td>
              <td role="cell" data-label="Expires"><Time value={c.expiresAt} empty="never" /></td>
              <td role="cell" data-label="Last used"><Time value={c.lastUsedAt} empty="never" /></td>
              <td role="cell" data-label="Rotated"><Time value={c.secretRotatedAt} empty="never" /></td>
              <td role="cell" data-label="Grace"><Grace credential={c} onEnd={props.onEndGrace} /></td>
              <td role="cell" data-label="Rejected uses"><RejectedUses credential={c} /></td>
              <td role="cell" data-label="Actions" class="cell-actions"><div class="actions">
                <button type="button" class="button small" onClick={() => props.onHistory(c)} aria-label={`History of ${c.name}`}>History</button>
                {c.status === 'active' ? (
                  <button type="button" class="button small" onClick={() => props.onRotate(c)} aria-label={`Rotate ${c.name}`}>Rotate</button>
                ) : null}
                {c.status !== 'revoked' ? (
                  <button type="button" class="button small danger-outline" onClick={() => props.onRevoke(c)} aria-label={`Revoke ${c.name}`}>Revoke</button>
                ) : null}
              </div></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
