// The brand's members (owners manage them): list with roles, add by e-mail, change a role, remove.
// Admins see the list; a member sees their own role and may leave the brand.
import { useState } from 'preact/hooks';
import type { Api, BrandMember, MyBrand } from '../api.js';
import { useSubmit } from '../use-submit.js';
import { useLoader } from '../use-loader.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';
import { RoleNotice } from './RoleNotice.js';
import { Time } from './Time.js';

const ROLES = ['member', 'admin', 'owner'] as const;

function AddMemberForm(props: { api: Api; brandId: string; onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>('member');
  const { pending, error, submit } = useSubmit(
    () => props.api.brands.addMember({ brandId: props.brandId, email, role: role as BrandMember['role'] }),
    () => { setEmail(''); props.onAdded(); },
    { stays: true },
  );
  return (
    <form class="card add-member" onSubmit={submit} aria-labelledby="add-member-title">
      <h2 id="add-member-title">Add a member</h2>
      <p class="muted">They need an account first (they can sign up). Owners manage members; owners and admins manage credentials and secrets.</p>
      <div class="add-member-fields">
        <label class="field grow">
          <span>E-mail of the new member</span>
          <input type="email" required value={email} disabled={pending} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <div class="field">
          <label for="new-member-role">Role</label>
          <select id="new-member-role" value={role} disabled={pending} onChange={(e) => setRole(e.currentTarget.value)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
        <button type="submit" class="button primary" disabled={pending}>{pending ? 'Adding…' : 'Add member'}</button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}

function RemoveDialog(props: { api: Api; brand: MyBrand; member: BrandMember; self: boolean; onClose: () => void; onRemoved: () => void }) {
  const { pending, error, submit: remove } = useSubmit(
    () => props.api.brands.removeMember({ brandId: props.brand.brandId, userId: props.member.userId }),
    props.onRemoved,
  );
  const title = props.self ? `Leave ${props.brand.name}?` : `Remove ${props.member.email ?? props.member.userId}?`;
  return (
    <Dialog title={title} onClose={props.onClose} busy={pending}>
      <p>{props.self
        ? <>You lose access to <strong>{props.brand.name}</strong>. An owner can add you again.</>
        : <><strong>{props.member.email}</strong> loses access to {props.brand.name}.</>}</p>
      <ErrorNotice error={error} />
      <div class="dialog-actions">
        <button type="button" class="button" onClick={props.onClose} disabled={pending}>Cancel</button>
        <button type="button" class="button danger" onClick={remove} disabled={pending} data-autofocus>{props.self ? 'Leave brand' : 'Remove member'}</button>
      </div>
    </Dialog>
  );
}

export function MembersPage(props: { api: Api; brand: MyBrand; userId: string; onLeft: () => void }) {
  const { brand } = props;
  const isOwner = brand.role === 'owner';
  const canList = brand.role === 'owner' || brand.role === 'admin';
  const members = useLoader(() => (canList ? props.api.brands.listMembers({ brandId: brand.brandId }).then((r) => r.items) : Promise.resolve([])), [brand.brandId, canList]);
  const [removing, setRemoving] = useState<BrandMember | null>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const me: BrandMember = { userId: props.userId, email: null, role: brand.role, addedAt: '' };

  async function changeRole(member: BrandMember, role: string) {
    setRowError(null);
    try {
      await props.api.brands.setMemberRole({ brandId: brand.brandId, userId: member.userId, role: role as BrandMember['role'] });
    } catch (failure) {
      setRowError(failure);
    }
    members.reload();
    if (member.userId === props.userId) props.onLeft();
  }

  return (
    <section class="page" aria-labelledby="members-title">
      <div class="page-head">
        <div>
          <h1 id="members-title">Members</h1>
          <p class="muted">Who can work on {brand.name}, and with which role.</p>
        </div>
        <button type="button" class="button danger-outline" onClick={() => setRemoving(me)}>Leave brand</button>
      </div>
      {!canList ? (
        <RoleNotice role={brand.role} brandName={brand.name} needs="owner" what="Managing members" />
      ) : !isOwner ? (
        <RoleNotice role={brand.role} brandName={brand.name} needs="owner" what="Adding members and changing roles" />
      ) : null}
      {isOwner ? <AddMemberForm api={props.api} brandId={brand.brandId} onAdded={members.reload} /> : null}
      <ErrorNotice error={members.error} />
      <ErrorNotice error={rowError} />
      {canList && members.pending && !members.value ? <p role="status" class="muted">Loading members…</p> : null}
      {canList && members.value ? (
        <div class="table-wrap">
          <table class="data-table responsive-table" role="table" aria-label="Members">
            <thead role="rowgroup">
              <tr role="row">
                <th role="columnheader" scope="col">E-mail</th>
                <th role="columnheader" scope="col">Role</th>
                <th role="columnheader" scope="col">Added</th>
                <th role="columnheader" scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              {members.value.map((m) => (
                <tr role="row" key={m.userId}>
                  <td role="cell" data-label="E-mail" class="cell-name">
                    <span class="credential-name">{m.email ?? m.userId}{m.userId === props.userId ? <span class="muted"> (you)</span> : null}</span>
                  </td>
                  <td role="cell" data-label="Role">
                    {isOwner ? (
                      <select aria-label={`Role of ${m.email ?? m.userId}`} value={m.role} onChange={(e) => changeRole(m, e.currentTarget.value)}>
                        {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                      </select>
                    ) : <span class="badge badge-role">{m.role}</span>}
                  </td>
                  <td role="cell" data-label="Added"><Time value={m.addedAt} /></td>
                  <td role="cell" data-label="Actions" class="cell-actions">
                    {isOwner && m.userId !== props.userId ? (
                      <button type="button" class="button small danger-outline" aria-label={`Remove ${m.email ?? m.userId}`} onClick={() => setRemoving(m)}>Remove</button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {removing ? (
        <RemoveDialog api={props.api} brand={brand} member={removing} self={removing.userId === props.userId}
          onClose={() => setRemoving(null)}
          onRemoved={() => { const self = removing.userId === props.userId; setRemoving(null); if (self) props.onLeft(); else members.reload(); }} />
      ) : null}
    </section>
  );
}
