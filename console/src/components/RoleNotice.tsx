// Says plainly which role the signed-in user holds in the brand, which role the page needs, and
// whom to ask: the owners by name when the user can see the member list, else the person who added
// them (a member cannot see who the owners are, so pointing to the Members page would not help).
export function RoleNotice(props: { role: string; brandName: string; needs: string; what: string; owners?: string[] | null }) {
  const owners = props.owners ?? [];
  return (
    <div class="notice notice-info role-notice" role="note" aria-label="Your role">
      <p class="notice-title">Your role in {props.brandName} is <strong>{props.role}</strong>.</p>
      <p>
        {props.what} needs the role <strong>{props.needs}</strong>.{' '}
        {owners.length > 0
          ? <>Only an owner can change your role: ask {owners.length === 1 ? 'the owner, ' : 'one of the owners, '}{owners.map((o, i) => <span key={o}>{i > 0 ? ', ' : ''}<strong>{o}</strong></span>)}.</>
          : <>Only an owner of {props.brandName} can change your role: ask the person who added you to the brand.</>}
      </p>
    </div>
  );
}
