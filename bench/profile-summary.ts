// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time,
// and the share of time under each of a few markers (our code, postgres.js, hono, jose, node
// internals). `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`.
import { readFile } from 'node:fs/promises';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const [file, topText] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(await readFile(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i += 1) {
  self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (n: Node) => {
  const url = n.callFrame.url;
  const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench|supabase)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${short}:${n.callFrame.lineNumber + 1}`;
};
const rows = new Map<string, number>();
for (const [id, time] of self) rows.set(where(byId.get(id)!), (rows.get(where(byId.get(id)!)) ?? 0) + time);
const top = Number(topText ?? 25);
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
for (const [name, time] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * time) / total).toFixed(1).padStart(5)} %  ${name}`);
}
const groups: [string, RegExp][] = [
  ['(idle)', /^\(idle\)/], ['(garbage collector)', /^\(garbage collector\)/], ['(program)', /^\(program\)/],
  ['postgres.js', /postgres\/src/], ['hono + @hono/node-server', /hono/], ['jose', /jose/], ['zod', /zod/],
  ['supabase-js', /@supabase/], ['gateway (src/gateway)', /src\/gateway/], ['token (supabase/functions)', /supabase\/functions/],
  ['node internals', /^.* node:/],
];
const grouped = new Map<string, number>();
for (const [name, time] of rows) {
  const group = groups.find(([, re]) => re.test(name))?.[0] ?? 'other';
  grouped.set(group, (grouped.get(group) ?? 0) + time);
}
console.log('\nself time by origin:');
for (const [name, time] of [...grouped].sort((a, b) => b[1] - a[1])) console.log(`${((100 * time) / total).toFixed(1).padStart(5)} %  ${name}`);
