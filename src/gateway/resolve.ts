import { clip, echoKeys, keysMatchable, MAX_KEY_LENGTH } from './bounds.js';
import { pgrst, type ApiError } from './errors.js';
import type { Routine, SchemaCacheData } from './schema-cache.js';

/** The routine a request calls, and whether it receives the whole JSON body as its one argument. */
export interface CallTarget {
  routine: Routine;
  rawBody: boolean;
}

/** Levenshtein similarity in [0, 1]: 1 − distance / longer length (a stand-in for FuzzySet). */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (!a || !b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return 1 - previous[b.length]! / Math.max(a.length, b.length);
}

function closest(query: string, candidates: string[], threshold: number): string | undefined {
  let best: { value: string; score: number } | undefined;
  for (const value of candidates) {
    const score = similarity(query, value);
    if (score >= threshold && (!best || score > best.score)) best = { value, score };
  }
  return best?.value;
}

/** PostgREST's findProc rule: every sent key is a parameter and every required parameter was sent. */
function matches(routine: Routine, keys: Set<string>): boolean {
  const names = new Set(routine.params.map((p) => p.name));
  if (routine.params.some((p) => p.name === '')) return false;
  return [...keys].every((k) => names.has(k)) && routine.params.every((p) => p.hasDefault || keys.has(p.name));
}

const isUnnamedJson = (r: Routine) => r.params.length === 1 && r.params[0]!.name === '';

function ambiguous(candidates: Routine[]): ApiError {
  const list = candidates.map((r) => `${r.schema}.${r.name}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`);
  return pgrst(300, 'PGRST203', `Could not choose the best candidate function between: ${list.join(', ')}`, null,
    'Try renaming the parameters or the function itself in the database so function overloading can be resolved');
}

function notFound(cache: SchemaCacheData, schema: string, name: string, keys: string[], jsonBody: boolean): ApiError {
  const qualified = clip(`${schema}.${name}`);
  const sorted = [...keys].sort();
  // Bounded: at most 100 names of at most 63 characters are repeated (bounds.ts).
  const list = echoKeys(sorted);
  const message = sorted.length
    ? `Could not find the function ${qualified}(${list}) in the schema cache`
    : `Could not find the function ${qualified} without parameters in the schema cache`;
  const searched = sorted.length
    ? `Searched for the function ${qualified} with parameter${sorted.length > 1 ? 's' : ''} ${list}`
    : `Searched for the function ${qualified} without parameters`;
  const details = `${searched}${jsonBody ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`;
  const overloads = cache.routines.get(`${schema}.${name}`);
  let hint: string | null = null;
  if (!keysMatchable(keys) || name.length > MAX_KEY_LENGTH) {
    // No function takes these names: no hint, and no fuzzy matching over an unbounded list.
  } else if (overloads) {
    const signatures = overloads.filter((r) => !isUnnamedJson(r)).map((r) => r.params.map((p) => p.name).sort().join(', '));
    const best = list ? closest(list, signatures.filter(Boolean), 1 / 3) : undefined;
    if (best !== undefined) hint = `Perhaps you meant to call the function ${qualified}(${best})`;
  } else {
    const best = closest(name, cache.names.get(schema) ?? [], 0.75);
    if (best !== undefined) hint = `Perhaps you meant to call the function ${schema}.${best}`;
  }
  return pgrst(404, 'PGRST202', message, details, hint);
}

/**
 * Overload resolution by argument names (POSTGREST.md §1.7): one match is called, several are
 * PGRST203, none falls back to a single unnamed json/jsonb parameter for JSON POSTs, else PGRST202.
 */
export function resolveRoutine(cache: SchemaCacheData, schema: string, name: string, keys: string[], jsonBody: boolean): CallTarget {
  const candidates = cache.routines.get(`${schema}.${name}`) ?? [];
  const keySet = new Set(keys);
  const found = candidates.filter((r) => matches(r, keySet));
  if (found.length === 1) return { routine: found[0]!, rawBody: false };
  if (found.length > 1) throw ambiguous(found);
  const fallback = jsonBody ? candidates.filter(isUnnamedJson) : [];
  if (fallback.length === 1) return { routine: fallback[0]!, rawBody: true };
  if (fallback.length > 1) throw ambiguous(fallback);
  throw notFound(cache, schema, name, keys, jsonBody);
}
