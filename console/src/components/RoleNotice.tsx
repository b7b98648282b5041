// Says plainly which role the signed-in user holds in the brand and which role the page needs.
export function RoleNotice(props: { role: string; brandName: string; needs: string; what: string }) {
  return (
    <div class="notice notice-info role-notice" role="note" aria-label="Your role">
      <p class="notice-title">Your role in {props.brandName} is <strong>{props.role}</strong>.</p>
      <p>{props.what} needs the role <strong>{props.needs}</strong>. An owner of {props.brandName} can change your role on the Members page.</p>
    </div>
  );
}
