// postinstall: guards postgres.js 3.4.9 against writing to a closed connection.
//
// When PostgreSQL restarts under load, a query issued on a connection that just closed (a
// transaction's next statement, or its ROLLBACK) schedules a write with setImmediate; it then runs
// with the socket gone and throws an uncaught TypeError ("Cannot read properties of null
// (reading 'write')") that takes the whole API process down — porsager/postgres#1066, #1154,
// #1208, fixed in no release yet. Teardown also leaves the write timer set, so a reconnected
// connection could never send again. This applies the fix proposed upstream (PR #1168/#1209):
// such a write rejects the pending queries with CONNECTION_CLOSED instead, and teardown resets
// the write buffer. Idempotent; a postgres version without the exact code is left alone (warned).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import console from 'node:console';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('../node_modules/postgres/', import.meta.url));
const MARKER = 'mintid: guarded nextWrite';
const edits = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `  function nextWrite(fn) {\n    if (!socket) { // ${MARKER} (porsager/postgres#1208)\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  [
    '    clearImmediate(nextWriteTimer)\n    if (socket) {',
    '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {',
  ],
  [
    '    clearImmediate(nextWriteTimer)\n    socket.removeListener(\'data\', data)',
    '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener(\'data\', data)',
  ],
];

let patched = 0;
for (const dir of ['src', 'cjs/src', 'cf/src']) {
  const file = `${root}${dir}/connection.js`;
  if (!existsSync(file)) continue;
  let text = readFileSync(file, 'utf8');
  if (text.includes(MARKER)) continue;
  if (!edits.every(([from]) => text.split(from).length === 2)) {
    console.warn(`patch-postgres: ${dir}/connection.js is not the expected postgres.js 3.4.9 code; left unpatched.`);
    continue;
  }
  for (const [from, to] of edits) text = text.replace(from, to);
  writeFileSync(file, text);
  patched += 1;
}
if (patched > 0) console.warn(`patch-postgres: guarded postgres.js against writes to closed connections (${patched} file(s)).`);
