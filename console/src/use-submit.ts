// One form action: pending while it runs, its failure kept for <ErrorNotice>, the form's default
// submission prevented. After success `done` gets the action's value and the form stays disabled
// (it is closing or being replaced), unless it stays on screen for the next entry (`stays`).
import { useState } from 'preact/hooks';

export function useSubmit<T>(action: () => Promise<T>, done: (value: T) => void, options: { stays?: boolean } = {}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event?: Event) => {
    event?.preventDefault();
    setPending(true);
    setError(null);
    let value: T;
    try {
      value = await action();
    } catch (failure) {
      setError(failure);
      setPending(false);
      return;
    }
    if (options.stays) setPending(false);
    done(value);
  };
  return { pending, error, submit };
}
