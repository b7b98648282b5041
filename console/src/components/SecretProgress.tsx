// The visible progress of making a secret: generate → hash in this browser (Web Worker) → send
// only the hash. argon2id reports no fraction, so the bar is indeterminate and the steps tick.
export type SecretStep = 'generating' | 'hashing' | 'sending';

const STEPS: { step: SecretStep; label: string }[] = [
  { step: 'generating', label: 'Generating a 256-bit secret in this browser' },
  { step: 'hashing', label: 'Hashing it with argon2id (19 MiB, 2 passes) in a background worker' },
  { step: 'sending', label: 'Sending only the hash to the server' },
];

export function SecretProgress(props: { step: SecretStep }) {
  const current = STEPS.findIndex((s) => s.step === props.step);
  return (
    <div class="secret-progress" role="status" aria-live="polite">
      <progress aria-label="Preparing the secret" />
      <ol class="steps">
        {STEPS.map((s, i) => (
          <li key={s.step} class={i < current ? 'step done' : i === current ? 'step current' : 'step'}
            aria-current={i === current ? 'step' : undefined}>
            <span class="step-mark" aria-hidden="true">{i < current ? '✓' : i + 1}</span>
            {s.label}{i < current ? <span class="visually-hidden"> (done)</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
