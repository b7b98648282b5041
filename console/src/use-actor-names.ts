// Audit actors are user ids (or a database role): shown as the member's e-mail where the brand's
// member list knows it. Owners and admins may list members; anyone else sees the ids.
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';

export function useActorNames(api: Api, brandId: string): (actor: string) => string {
  const [emails, setEmails] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    api.brands.listMembers({ brandId }).then(
      ({ items }) => { if (live) setEmails(new Map(items.filter((m) => m.email).map((m) => [m.userId, m.email!]))); },
      () => {},
    );
    return () => { live = false; };
  }, [brandId]);
  return (actor) => emails.get(actor) ?? actor;
}
