// The brand's whole audit trail (list_brand_events): credentials, members, secrets and the brand
// itself, newest first, with "Load more". Actors that are members are shown by e-mail.
import { useEffect, useState } from 'preact/hooks';
import type { Api, BrandEvent, MyBrand } from '../api.js';
import { useActorNames } from '../use-actor-names.js';
import { AuditList } from './AuditList.js';
import { EmptyState } from './EmptyState.js';
import { ErrorNotice } from './ErrorNotice.js';

const SUBJECT: Record<string, string> = { brand: 'brand', member: 'member', credential: 'credential', secret: 'secret' };

export function BrandAuditPage(props: { api: Api; brand: MyBrand }) {
  const [items, setItems] = useState<BrandEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [pending, setPending] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const actorName = useActorNames(props.api, props.brand.brandId);

  async function load(after: string | null) {
    setPending(true);
    setError(null);
    try {
      const page = await props.api.brands.listBrandEvents({ brandId: props.brand.brandId, cursor: after ?? undefined });
      setItems((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  }
  useEffect(() => {
    load(null);
    // Subjects by name where the listing still knows them (first pages only; ids otherwise).
    Promise.all([
      props.api.credentials.listCredentials({ brandId: props.brand.brandId, limit: 200 }).then((p) => p.items.map((c) => [c.id, c.name] as const), () => []),
      props.api.secrets.listBrandSecrets({ brandId: props.brand.brandId, limit: 200 }).then((p) => p.items.map((x) => [x.id, x.name] as const), () => []),
    ]).then(([credentials, secrets]) => setNames(new Map([...credentials, ...secrets, [props.brand.brandId, props.brand.name]])));
  }, [props.brand.brandId]);
  const subjectLabel = (e: BrandEvent) => {
    const email = actorName(e.subjectId);
    const known = names.get(e.subjectId) ?? (e.subjectType === 'member' && email !== e.subjectId ? email : undefined);
    return `${SUBJECT[e.subjectType] ?? e.subjectType} ${known ?? e.subjectId.slice(0, 8)}`;
  };

  return (
    <section class="page" aria-labelledby="audit-title">
      <div class="page-head">
        <div>
          <h1 id="audit-title">Audit trail</h1>
          <p class="muted">Every change in {props.brand.name}, newest first. Records are append-only and hash-chained.</p>
        </div>
      </div>
      <ErrorNotice error={error} />
      {pending && items.length === 0 ? <p role="status" class="muted">Loading the audit trail…</p> : null}
      {!pending && !error && items.length === 0 ? <EmptyState title="Nothing has happened in this brand yet." /> : null}
      {items.length > 0 ? (
        <div class="card">
          <AuditList label={`Audit trail of ${props.brand.name}`} actorName={actorName}
            entries={items.map((e) => ({
              id: e.id, action: e.action, actor: e.actor, reason: e.reason, occurredAt: e.occurredAt, reasonCode: e.reasonCode ?? null, details: e.details,
              subject: subjectLabel(e),
            }))} />
        </div>
      ) : null}
      {cursor ? (
        <div class="pager">
          <button type="button" class="button" disabled={pending} onClick={() => load(cursor)}>{pending ? 'Loading…' : 'Load older records'}</button>
        </div>
      ) : null}
    </section>
  );
}
