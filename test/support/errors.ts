import { expect } from 'vitest';

export interface PgErrorShape {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** Awaits a rejection and checks its SQLSTATE first, then the reason and message prefix. */
export async function expectPgError(
  promise: Promise<unknown>,
  expected: { code: string; reason?: string; message?: string | RegExp },
): Promise<PgErrorShape> {
  let error: PgErrorShape | undefined;
  try {
    await promise;
  } catch (caught) {
    error = caught as PgErrorShape;
  }
  expect(error, 'expected the call to fail').toBeDefined();
  expect(error!.code).toBe(expected.code);
  if (expected.reason !== undefined) expect(error!.detail).toBe(expected.reason);
  if (typeof expected.message === 'string') expect(error!.message.startsWith(expected.message)).toBe(true);
  else if (expected.message) expect(error!.message).toMatch(expected.message);
  return error!;
}

/** The SQLSTATE and message prefix of each error category of the contract. */
export const CATEGORY = {
  unauthenticated: { code: 'PT401', message: 'Not authenticated' },
  forbidden: { code: '42501', message: 'Forbidden' },
  invalid: { code: '22023', message: 'Invalid input' },
  conflict: { code: 'PT409', message: 'Conflict' },
  /** PostgREST's own answer when the role lacks EXECUTE (→ 401 for anon, 403 otherwise). */
  noExecute: { code: '42501', message: /^permission denied for function / },
} as const;

/** Asserts that none of the error's texts contains the given value. */
export function expectNotLeaked(error: PgErrorShape, value: string): void {
  for (const text of [error.message, error.detail ?? '', error.hint ?? '']) {
    expect(text.includes(value)).toBe(false);
  }
}
