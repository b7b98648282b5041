// The issues' targets, checked against the figures of this run: each table adds what it measured,
// and `npm run bench` ends with one table saying, per target, what this run got, whether that
// meets it, and where the profile that explains a gap is written down.
import { markdownTable } from './table.js';

export interface Target {
  /** What is asked, in words (with the issue). */
  asked: string;
  /** What this run measured, in words. */
  got: string;
  met: boolean;
  /** Where the explanation of a gap is (a docs/performance.md section). */
  why?: string;
}

export class Targets {
  readonly #list: Target[] = [];

  add(target: Target): void {
    this.#list.push(target);
  }

  get count(): number {
    return this.#list.length;
  }

  /** The summary table, or '' when no table added a target. */
  table(): string {
    if (this.#list.length === 0) return '';
    const rows = this.#list.map((t) => [t.asked, t.got, t.met ? 'yes' : 'no', t.met ? '' : (t.why ?? '')]);
    const missed = this.#list.filter((t) => !t.met).length;
    return [
      markdownTable(['target', 'this run', 'met?', 'the gap explained in'], rows, ['target', 'this run', 'met?', 'the gap explained in']),
      '',
      `- ${this.#list.length - missed} of ${this.#list.length} targets met in this run. Figures move with the machine's load (printed at the start and end); compare within a run.`,
    ].join('\n');
  }
}

export const PERF_DOC = 'docs/performance.md';
