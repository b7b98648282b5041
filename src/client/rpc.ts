import type { z } from 'zod';
import { InvalidInputError, TransportError, UnexpectedError, toMintIdError, type PostgrestErrorLike } from './errors.js';

/** The slice of a supabase-js client the typed clients need (`SupabaseClient` satisfies it). */
export interface RpcClient {
  rpc(fn: string, args: Record<string, unknown>): PromiseLike<{ data: unknown; error: PostgrestErrorLike | null; status: number }>;
}

/** Checks parameters before anything is sent; a refusal is an InvalidInputError with reason `client_validation`. */
export function parseParams<T extends z.ZodTypeAny>(schema: T, params: unknown): z.output<T> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || null;
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')).filter(Boolean))];
  throw new InvalidInputError(`Invalid input: ${field ?? 'params'}: ${issue.message}`, {
    status: 0, reason: 'client_validation', hint: 'Fix the parameter before calling the server.', field, fields,
  });
}

/** Calls one RPC and checks its result against the contract; every failure is a MintIdError. */
export async function callRpc<T extends z.ZodTypeAny>(
  supabase: RpcClient, fn: string, args: Record<string, unknown>, result: T,
): Promise<z.output<T>> {
  let response: { data: unknown; error: PostgrestErrorLike | null; status: number };
  try {
    response = await supabase.rpc(fn, args);
  } catch (error) {
    throw new TransportError(error instanceof Error ? error.message : String(error), { status: 0 });
  }
  if (response.error) throw toMintIdError(response.error, response.status);
  const parsed = result.safeParse(response.data);
  if (!parsed.success) {
    throw new UnexpectedError(`The response of ${fn} does not match the contract`, { status: response.status });
  }
  return parsed.data;
}
