// The secret, shown once: a dialog named "Client secret" with the client id, the secret, Copy
// buttons for each and for a ready token exchange. Closing it forgets the secret; nothing stores it.
import { useState } from 'preact/hooks';
import { Dialog } from './Dialog.js';
import { formatTime } from './Time.js';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Without the async clipboard (insecure context, no permission): the selection path.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function ClientSecretDialog(props: {
  credentialName: string;
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
  /** "created" or "rotated": what just happened. */
  kind: 'created' | 'rotated';
  hashMs: number;
  graceUntil?: string | null;
  onClose: () => void; returnFocus?: () => HTMLElement | null;
}) {
  const [copied, setCopied] = useState<string | null>(null);
  const curl = `curl -s -u '${props.clientId}:${props.clientSecret}' \\\n  -d grant_type=client_credentials \\\n  ${props.tokenUrl}`;
  const copy = async (what: string, text: string) => setCopied((await copyText(text)) ? what : `${what}-failed`);

  return (
    <Dialog returnFocus={props.returnFocus} title="Client secret" onClose={props.onClose} wide>
      <p>
        {props.kind === 'created' ? <>Credential <strong>{props.credentialName}</strong> was created.</>
          : <>The secret of <strong>{props.credentialName}</strong> was rotated.</>}{' '}
        This is the only time the secret is shown: store it in your integration's secret store now.
        MintID keeps only its argon2id hash (made in this browser in {Math.round(props.hashMs)} ms).
      </p>
      {props.graceUntil ? <p class="notice notice-info">The previous secret keeps working until {formatTime(props.graceUntil)}.</p> : null}
      <section class="secret-region" aria-label="Client secret">
        <dl class="secret-fields">
          <dt>Client ID</dt>
          <dd><code class="secret-value">{props.clientId}</code></dd>
          <dt>Client secret</dt>
          <dd><code class="secret-value" data-testid="client-secret">{props.clientSecret}</code></dd>
        </dl>
        <div class="row">
          <button type="button" class="button primary" data-autofocus onClick={() => copy('secret', props.clientSecret)}>Copy secret</button>
          <button type="button" class="button" onClick={() => copy('client-id', props.clientId)}>Copy client ID</button>
          <button type="button" class="button" onClick={() => copy('curl', curl)}>Copy curl command</button>
          <span role="status" class="copy-status">
            {copied === 'secret' ? 'Secret copied.' : copied === 'client-id' ? 'Client ID copied.' : copied === 'curl' ? 'Command copied.' : copied ? 'Copying failed: select the text and copy it.' : ''}
          </span>
        </div>
        <h3>Exchange it for an access token</h3>
        <pre class="code-block" tabIndex={0} aria-label="curl token exchange"><code>{curl}</code></pre>
      </section>
      <div class="dialog-actions">
        <button type="button" class="button" onClick={props.onClose}>I have stored it</button>
      </div>
    </Dialog>
  );
}
