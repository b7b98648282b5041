// The credentials of the selected brand: status filter, keyset paging, and the create / rotate /
// revoke / history dialogs; several credentials selected and revoked at once ("Revoke selected"). The secret dialog shows a new secret once, then it is forgotten.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { CredentialStatus, CredentialSummary } from '../../../src/client/schemas.js';
import type { Api } from '../api.js';
import { useLoader } from '../use-loader.js';
import { Announcement } from './Announcement.js';
import { ClientSecretDialog } from './ClientSecretDialog.js';
import { CredentialHistoryDialog } from './CredentialHistoryDialog.js';
import { CredentialsTable, selectable } from './CredentialsTable.js';
import { EmptyState } from './EmptyState.js';
import { EndGraceDialog } from './EndGraceDialog.js';
import { ErrorNotice } from './ErrorNotice.js';
import { NewCredentialDialog, type ShownSecret } from './NewCredentialDialog.js';
import { RevokeDialog } from './RevokeDialog.js';
import { credentialsWord, RevokeManyDialog, type RevokeManyResult } from './RevokeManyDialog.js';
import { RevokeResult } from './RevokeResult.js';
import { RotateDialog } from './RotateDialog.js';

const PAGE_SIZE = 20;

type Open =
  | { kind: 'new' }
  | { kind: 'rotate'; credential: CredentialSummary }
  | { kind: 'revoke'; credential: CredentialSummary }
  | { kind: 'revoke-many'; credentials: CredentialSummary[] }
  | { kind: 'history'; credential: CredentialSummary }
  | { kind: 'end-grace'; credential: CredentialSummary }
  | { kind: 'secret'; shown: ShownSecret }
  | null;

export function CredentialsPage(props: { api: Api; brandId: string; brandName: string; tokenUrl: string }) {
  const [status, setStatus] = useState<CredentialStatus | ''>('');
  // Cursors of the pages before the current one; the current page's cursor is the last entry.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [open, setOpenState] = useState<Open>(null);
  // The control that started the current dialog flow (new → secret, rotate → secret) gets focus back.
  const opener = useRef<HTMLElement | null>(null);
  const setOpen = (next: Open) => {
    if (!open && next && document.activeElement instanceof HTMLElement) opener.current = document.activeElement;
    setOpenState(next);
  };
  const returnFocus = () => opener.current;
  const [announcement, setAnnouncement] = useState('');
  // Selected for "Revoke selected": the credentials of the page shown (a new page, filter or brand starts afresh).
  const [selected, setSelected] = useState<Map<string, CredentialSummary>>(new Map());
  const [revokeResult, setRevokeResult] = useState<RevokeManyResult | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const cursor = cursors[cursors.length - 1];
  const page = useLoader(() => props.api.credentials.listCredentials({
    brandId: props.brandId, status: status || undefined, limit: PAGE_SIZE, cursor,
  }), [props.brandId, status, cursor]);
  useEffect(() => setSelected(new Map()), [props.brandId, status, cursor]);
  // The result takes focus once it is shown (the "Revoke selected" button is disabled by then).
  useLayoutEffect(() => { if (revokeResult) resultRef.current?.focus(); }, [revokeResult]);

  const firstPage = () => setCursors([undefined]);
  const afterChange = (message: string) => {
    setAnnouncement(message);
    setSelected(new Map());
    // Back to the first page, which loads anew by itself when the cursor changes; on it already, reload it.
    if (cursor === undefined) page.reload();
    else firstPage();
  };
  const toggle = (credential: CredentialSummary, on: boolean) => setSelected((current) => {
    const next = new Map(current);
    if (on) next.set(credential.id, credential);
    else next.delete(credential.id);
    return next;
  });
  const selectableItems = (page.value?.items ?? []).filter(selectable);
  const allSelected = selectableItems.length > 0 && selectableItems.every((c) => selected.has(c.id));
  const toggleAll = (on: boolean) => setSelected(on ? new Map(selectableItems.map((c) => [c.id, c])) : new Map());
  const picked = [...selected.values()];

  return (
    <section class="page" aria-labelledby="credentials-title">
      <div class="page-head">
        <div>
          <h1 id="credentials-title">Credentials</h1>
          <p class="muted">API credentials of {props.brandName}. Integrations exchange them for access tokens.</p>
        </div>
        <button type="button" class="button primary" onClick={() => setOpen({ kind: 'new' })}>New credential</button>
      </div>
      <div class="toolbar">
        <div class="field inline">
          <label for="status-filter">Status</label>
          <select id="status-filter" value={status} onChange={(e) => { setStatus(e.currentTarget.value as CredentialStatus | ''); firstPage(); }}>
            <option value="">All</option>
            <option value="active">Active</option>
            <option value="expired">Expired</option>
            <option value="revoked">Revoked</option>
          </select>
        </div>
        {selectableItems.length > 0 ? (
          <div class="bulk-bar">
            <label>
              <input type="checkbox" checked={allSelected} onChange={(e) => toggleAll(e.currentTarget.checked)} />
              Select all on this page
            </label>
            <button type="button" class="button danger-outline" disabled={picked.length === 0}
              onClick={() => { setRevokeResult(null); setOpen({ kind: 'revoke-many', credentials: picked }); }}>
              Revoke selected{picked.length ? ` (${picked.length})` : ''}
            </button>
          </div>
        ) : null}
        <Announcement text={announcement} hidden />
      </div>
      {revokeResult ? <RevokeResult result={revokeResult} focusRef={resultRef} onDismiss={() => setRevokeResult(null)} /> : null}
      <ErrorNotice error={page.error} />
      {page.pending && !page.value ? <p role="status" class="muted">Loading credentials…</p> : null}
      {page.value && page.value.items.length === 0 ? (
        status ? (
          <EmptyState title={`No ${status} credentials.`}>
            <p>Choose “All” in the status filter to see every credential of this brand.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No credentials yet.">
            <p>Create one with <strong>New credential</strong>. Its secret is generated and hashed in your browser and shown once.</p>
            <button type="button" class="button primary" onClick={() => setOpen({ kind: 'new' })}>New credential</button>
          </EmptyState>
        )
      ) : null}
      {page.value && page.value.items.length > 0 ? (
        <CredentialsTable items={page.value.items} selected={new Set(selected.keys())} onToggle={toggle}
          onRotate={(credential) => setOpen({ kind: 'rotate', credential })}
          onRevoke={(credential) => setOpen({ kind: 'revoke', credential })}
          onHistory={(credential) => setOpen({ kind: 'history', credential })}
          onEndGrace={(credential) => setOpen({ kind: 'end-grace', credential })} />
      ) : null}
      {page.value && (cursors.length > 1 || page.value.nextCursor) ? (
        <nav class="pager" aria-label="Credential pages">
          <button type="button" class="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
          <span class="muted">Page {cursors.length}</span>
          <button type="button" class="button" disabled={!page.value.nextCursor} onClick={() => setCursors([...cursors, page.value!.nextCursor!])}>Next page</button>
        </nav>
      ) : null}

      {open?.kind === 'new' ? (
        <NewCredentialDialog returnFocus={returnFocus} api={props.api} brandId={props.brandId} onClose={() => setOpen(null)}
          onCreated={(shown) => { setOpen({ kind: 'secret', shown }); afterChange(`Credential ${shown.credentialName} created.`); }} />
      ) : null}
      {open?.kind === 'rotate' ? (
        <RotateDialog returnFocus={returnFocus} api={props.api} brandId={props.brandId} credential={open.credential} onClose={() => setOpen(null)}
          onRotated={(shown) => { setOpen({ kind: 'secret', shown }); afterChange(`Secret of ${shown.credentialName} rotated.`); }} />
      ) : null}
      {open?.kind === 'revoke' ? (
        <RevokeDialog returnFocus={returnFocus} api={props.api} brandId={props.brandId} credential={open.credential} onClose={() => setOpen(null)}
          onRevoked={() => { setOpen(null); afterChange(`Credential ${open.credential.name} revoked.`); }} />
      ) : null}
      {open?.kind === 'revoke-many' ? (
        <RevokeManyDialog api={props.api} brandId={props.brandId} credentials={open.credentials} onClose={() => setOpen(null)}
          returnFocus={() => resultRef.current ?? opener.current}
          onRevoked={(result) => {
            setOpen(null);
            setRevokeResult(result);
            afterChange(`${credentialsWord(result.revoked.length)} revoked.`);
          }} />
      ) : null}
      {open?.kind === 'end-grace' ? (
        <EndGraceDialog returnFocus={returnFocus} api={props.api} brandId={props.brandId} credential={open.credential} onClose={() => setOpen(null)}
          onEnded={() => { setOpen(null); afterChange(`Grace period of ${open.credential.name} ended.`); }} />
      ) : null}
      {open?.kind === 'history' ? (
        <CredentialHistoryDialog returnFocus={returnFocus} api={props.api} brandId={props.brandId} credential={open.credential} onClose={() => setOpen(null)} />
      ) : null}
      {open?.kind === 'secret' ? (
        <ClientSecretDialog returnFocus={returnFocus} {...open.shown} tokenUrl={props.tokenUrl} onClose={() => setOpen(null)} />
      ) : null}
    </section>
  );
}
