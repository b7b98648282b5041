import type { MintIdErrorCode } from '../client/errors.js';

/** The CLI's exit codes: one per error class of the client, so scripts can branch on them. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  not_authenticated: 3,
  forbidden: 4,
  invalid_input: 5,
  conflict: 6,
  transport: 7,
} as const satisfies Record<'ok' | 'usage' | MintIdErrorCode, number>;
