// The brand's members (owners manage them): list with roles, add by e-mail, change a role, remove.
// Admins see the list; a member sees their own role and may leave the brand.
//
// A role change is deliberate: picking a role in a row's select only stages it; the row's Save
// sends it. A change that grants or gives up the owner role (full control, members included) asks
// for a confirmation first. Each action starts by clearing the previous action's error, and a
// success is said in the page's live region.
import { useState } from 'preact/hooks';
import type { Api, BrandMember, MyBrand } from '../api.js';
import { useSubmit } from '../use-submit.js';
import { useLoader } from '../use-loader.js';
import { Announcement } from './Announcement.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from './ErrorNotice.js';
import { RoleNotice } from './RoleNotice.js';
import { Time } from './Time.js';

const ROLES = ['member', 'admin', 'owner'] as const;
type Role = BrandMember['role'];
const who = (m: BrandMember) => m.email ?? m.userId;

/** The last action's outcome: at most one error on the page, shown where the action was made. */
type Failure = { at: 'add' | 'table'; error: unknown } | null;

function AddMemberForm(props: { api: Api; brandId: string; error: unknown; onStart: () => void; onFailed: (error: unknown) => void; onAdded: (email: string, role: Role) => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [pending, setPending] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    props.onStart();
    setPending(true);
    try {
      await props.api.brands.addMember({ brandId: props.brandId, email, role });
    } catch (failure) {
      setPending(false);
      props.onFailed(failure);
      return;
    }
    setPending(false);
    setEmail('');
    props.onAdded(email.trim(), role);
  }
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
          <select id="new-member-role" value={role} disabled={pending} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
        <button type="submit" class="button primary" disabled={pending}>{pending ? 'Adding…' : 'Add member'}</button>
      </div>
      <ErrorNotice error={props.error} />
    </form>
  );
}

/** Confirms a change that grants or gives up the owner role. */
function OwnerChangeDialog(props: { brand: MyBrand; member: BrandMember; role: Role; self: boolean; pending: boolean; error: unknown; onCancel: () => void; onConfirm: () => void }) {
  const { member, role, brand } = props;
  const granting = role === 'owner';
  const title = granting ? `Make ${who(member)} an owner?`
    : props.self ? `Give up your owner role in ${brand.name}?` : `Take the owner role from ${who(member)}?`;
  return (
    <Dialog title={title} onClose={props.onCancel} busy={props.pending} describedBy="owner-change-consequence">
      <p id="owner-change-consequence" class="notice notice-danger">
        {granting
          ? <>As an owner, <strong>{who(member)}</strong> can do everything in {brand.name}: add and remove members, change any role (yours included), and manage credentials and secrets.</>
          : props.self
            ? <>You become <strong>{role}</strong>: you can no longer add or remove members or change roles, and cannot take this back yourself — another owner has to.</>
            : <><strong>{who(member)}</strong> becomes <strong>{role}</strong> and can no longer add or remove members or change roles.</>}
      </p>
      <ErrorNotice error={props.error} />
      <div class="dialog-actions">
        <button type="button" class="button" onClick={props.onCancel} disabled={props.pending} data-autofocus>Cancel</button>
        <button type="button" class="button danger" onClick={props.onConfirm} disabled={props.pending}>
          {props.pending ? 'Saving…' : `Change role to ${role}`}
        </button>
      </div>
    </Dialog>
  );
}

function RemoveDialog(props: { api: Api; brand: MyBrand; member: BrandMember; self: boolean; onClose: () => void; onRemoved: () => void }) {
  const { pending, error, submit: remove } = useSubmit(
    () => props.api.brands.removeMember({ brandId: props.brand.brandId, userId: props.member.userId }),
    props.onRemoved,
  );
  const title = props.self ? `Leave ${props.brand.name}?` : `Remove ${who(props.member)}?`;
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
  // Roles picked in a row's select but not saved yet, by user id.
  const [staged, setStaged] = useState<Map<string, Role>>(new Map());
  const [confirming, setConfirming] = useState<{ member: BrandMember; role: Role } | null>(null);
  const [saving, setSaving] = useState<string | null>(null);
  const [dialogError, setDialogError] = useState<unknown>(null);
  const [failure, setFailure] = useState<Failure>(null);
  const [announcement, setAnnouncement] = useState('');
  const me: BrandMember = { userId: props.userId, email: null, role: brand.role, addedAt: '' };

  /** A new action starts: the previous one's error and message go. */
  const start = () => { setFailure(null); setAnnouncement(''); };
  const stage = (member: BrandMember, role: Role) => setStaged((current) => {
    const next = new Map(current);
    if (role === member.role) next.delete(member.userId);
    else next.set(member.userId, role);
    return next;
  });
  const unstage = (member: BrandMember) => stage(member, member.role);
  /** The role staged for a member of the list as loaded now: none once it is the stored one (someone else set it) or the member is gone. */
  const stagedFor = (member: BrandMember): Role | undefined => {
    const role = staged.get(member.userId);
    return role !== undefined && role !== member.role ? role : undefined;
  };

  async function saveRole(member: BrandMember, role: Role, inDialog: boolean) {
    start();
    setDialogError(null);
    setSaving(member.userId);
    try {
      await props.api.brands.setMemberRole({ brandId: brand.brandId, userId: member.userId, role });
    } catch (error) {
      setSaving(null);
      if (inDialog) setDialogError(error);
      else setFailure({ at: 'table', error });
      return;
    }
    setSaving(null);
    setConfirming(null);
    unstage(member);
    setAnnouncement(`Role of ${who(member)} changed to ${role}.`);
    members.reload();
    if (member.userId === props.userId) props.onLeft();
  }
  const save = (member: BrandMember) => {
    const role = stagedFor(member);
    if (!role) return;
    if (role === 'owner' || member.role === 'owner') {
      start();
      setDialogError(null);
      setConfirming({ member, role });
    } else {
      void saveRole(member, role, false);
    }
  };

  const owners = (members.value ?? []).filter((m) => m.role === 'owner').map(who);
  return (
    <section class="page" aria-labelledby="members-title">
      <div class="page-head">
        <div>
          <h1 id="members-title">Members</h1>
          <p class="muted">Who can work on {brand.name}, and with which role.</p>
        </div>
        <button type="button" class="button danger-outline" onClick={() => { start(); setRemoving(me); }}>Leave brand</button>
      </div>
      {!canList ? (
        <RoleNotice role={brand.role} brandName={brand.name} needs="owner" what="Managing members" />
      ) : !isOwner ? (
        <RoleNotice role={brand.role} brandName={brand.name} needs="owner" what="Adding members and changing roles" owners={owners} />
      ) : null}
      {isOwner ? (
        <AddMemberForm api={props.api} brandId={brand.brandId} error={failure?.at === 'add' ? failure.error : null}
          onStart={start} onFailed={(error) => setFailure({ at: 'add', error })}
          onAdded={(email, role) => { setAnnouncement(`${email} added as ${role}.`); members.reload(); }} />
      ) : null}
      <Announcement text={announcement} />
      <ErrorNotice error={members.error} />
      <ErrorNotice error={failure?.at === 'table' ? failure.error : null} />
      {canList && members.pending && !members.value ? <p role="status" class="muted">Loading members…</p> : null}
      {canList && members.value ? (
        <div class="table-wrap">
          <table class="data-table responsive-table members-table" role="table" aria-label="Members">
            <thead role="rowgroup">
              <tr role="row">
                <th role="columnheader" scope="col">E-mail</th>
                <th role="columnheader" scope="col">Role</th>
                <th role="columnheader" scope="col">Added</th>
                <th role="columnheader" scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              {members.value.map((m) => {
                const pick = stagedFor(m);
                const busy = saving === m.userId;
                return (
                  <tr role="row" key={m.userId}>
                    <td role="cell" data-label="E-mail" class="cell-name">
                      <span class="credential-name">{who(m)}{m.userId === props.userId ? <span class="muted"> (you)</span> : null}</span>
                    </td>
                    <td role="cell" data-label="Role">
                      {isOwner ? (
                        <div class="role-edit">
                          <select aria-label={`Role of ${who(m)}`} value={pick ?? m.role} disabled={busy}
                            onChange={(e) => { start(); stage(m, e.currentTarget.value as Role); }}>
                            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                          </select>
                          {pick ? (
                            <>
                              {/* One save at a time: its outcome (error or message) then belongs to one row. */}
                              <button type="button" class="button small primary" disabled={saving !== null} aria-label={`Save role of ${who(m)}`} onClick={() => save(m)}>
                                {busy ? 'Saving…' : 'Save'}
                              </button>
                              <button type="button" class="button small" disabled={busy} aria-label={`Undo role change of ${who(m)}`} onClick={() => { start(); unstage(m); }}>Undo</button>
                              <small class="muted role-pending">Not saved: {m.role} → {pick}</small>
                            </>
                          ) : null}
                        </div>
                      ) : <span class="badge badge-role">{m.role}</span>}
                    </td>
                    <td role="cell" data-label="Added"><Time value={m.addedAt} /></td>
                    <td role="cell" data-label="Actions" class="cell-actions">
                      {isOwner && m.userId !== props.userId ? (
                        <button type="button" class="button small danger-outline" aria-label={`Remove ${who(m)}`} onClick={() => { start(); setRemoving(m); }}>Remove</button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {confirming ? (
        <OwnerChangeDialog brand={brand} member={confirming.member} role={confirming.role} self={confirming.member.userId === props.userId}
          pending={saving === confirming.member.userId} error={dialogError}
          onCancel={() => { unstage(confirming.member); setConfirming(null); }} onConfirm={() => void saveRole(confirming.member, confirming.role, true)} />
      ) : null}
      {removing ? (
        <RemoveDialog api={props.api} brand={brand} member={removing} self={removing.userId === props.userId}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            const self = removing.userId === props.userId;
            setStaged((current) => { const next = new Map(current); next.delete(removing.userId); return next; });
            setRemoving(null);
            if (self) props.onLeft();
            else { setAnnouncement(`${who(removing)} removed from ${brand.name}.`); members.reload(); }
          }} />
      ) : null}
    </section>
  );
}
