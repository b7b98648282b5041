// postinstall: guards postgres.js 3.4.9 against writing to a closed connection, and makes its
// reserve() own its connection (a reserved connection that dies settles every query of it).
//
// When PostgreSQL restarts under load, a query issued on a connection that just closed (a
// transaction's next statement, or its ROLLBACK) schedules a write with setImmediate; it then runs
// with the socket gone and throws an uncaught TypeError ("Cannot read properties of null
// (reading 'write')") that takes the whole API process down — porsager/postgres#1066, #1154,
// #1208, fixed in no release yet. Teardown also leaves the write timer set, so a reconnected
// connection could never send again. This applies the fix proposed upstream (PR #1168/#1209):
// such a write rejects the pending queries with CONNECTION_CLOSED instead, and teardown resets
// the write buffer, and a close forgets the dead backend's last query and error (else the first
// ReadyForQuery of the reconnect answered the next caller with the old FATAL, e.g. a 503 for
// 57P01 after a single terminated backend).
//
// reserve() (index.js), which the gateway's pipelined transaction runs on (src/gateway/
// transaction.ts), loses queries when its connection dies (porsager/postgres#1186, #1195, #1199):
// - a query the reserved handle parks in its own queue (the connection is "full": a statement
//   described first on this connection, socket backpressure, the guard above) is never rejected
//   when the connection closes: onclose drops the reservation, so the query never settles and
//   the request that awaits it never answers (what hung test/abuse/faults.test.ts);
// - a query sent through the handle after the close runs on the pooled connection object, which
//   may be reconnecting for someone else, or (the guard's false return) moves it out of the closed
//   queue for good, a pool slot lost; release() after the close puts the dead connection among the
//   open ones (#1199);
// - a waiting reserve() whose first connection attempt fails is rejected but stays in the pool's
//   queue, so a later open connection is handed to nobody (a pool slot lost), and one that
//   onclose hands to a reconnect is dropped when that reconnect succeeds (#1195).
// Now the close rejects the parked queries and every later query of the handle with
// CONNECTION_CLOSED, release() of a lost reservation does nothing (the pool reconnects that
// connection), a rejected reserve leaves the queue, and onclose reconnects for a waiting reserve
// while leaving it queued, as reserve() itself does.
//
// Idempotent (one marker per file); a postgres version without the exact code is left alone (warned).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import console from 'node:console';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('../node_modules/postgres/', import.meta.url));
const MARKER = 'mintid: guarded nextWrite';
const connectionEdits = [
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
const CLOSED_MARKER = 'mintid: a close forgets the dead backend';
const closedEdits = [
  [
    "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n",
    `    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n    query = results = errorResponse = null // ${CLOSED_MARKER}\n    result = new Result()\n`,
  ],
];

const RESERVE_MARKER = 'mintid: reserve owns its connection';
const indexEdits = [
  [
    '        const query = { reserve: resolve, reject }\n',
    `        const query = { reserve: resolve, reject: e => (queries.remove(query), reject(e)) } // ${RESERVE_MARKER} (porsager/postgres#1186)\n`,
  ],
  [
    '    move(c, reserved)\n    c.reserved = () => queue.length\n      ? c.execute(queue.shift())\n      : move(c, reserved)\n    c.reserved.release = true\n\n    const sql = Sql(handler)\n    sql.release = () => {\n      c.reserved = null\n      onopen(c)\n    }\n',
    '    let lost = false\n    move(c, reserved)\n    c.reserved = () => queue.length\n      ? c.execute(queue.shift())\n      : move(c, reserved)\n    c.reserved.release = true\n    c.reserved.onclose = () => {\n      lost = true\n      while (queue.length)\n        queue.shift().reject(Errors.connection(\'CONNECTION_CLOSED\', options))\n    }\n\n    const sql = Sql(handler)\n    sql.release = () => {\n      if (lost)\n        return\n      c.reserved = null\n      onopen(c)\n    }\n',
  ],
  [
    '    function handler(q) {\n      c.queue === full\n        ? queue.push(q)\n        : c.execute(q) || move(c, full)\n    }\n  }\n\n  async function begin(',
    '    function handler(q) {\n      if (lost)\n        return q.reject(Errors.connection(\'CONNECTION_CLOSED\', options))\n      c.queue === full\n        ? queue.push(q)\n        : c.execute(q) || move(c, full)\n    }\n  }\n\n  async function begin(',
  ],
  [
    '    move(c, closed)\n    c.reserved = null\n    c.onclose && (c.onclose(e), c.onclose = null)\n    options.onclose && options.onclose(c.id)\n    queries.length && connect(c, queries.shift())\n',
    '    move(c, closed)\n    c.reserved && c.reserved.onclose && c.reserved.onclose(e)\n    c.reserved = null\n    c.onclose && (c.onclose(e), c.onclose = null)\n    options.onclose && options.onclose(c.id)\n    queries.length && connect(c, queries.peek().reserve ? queries.peek() : queries.shift())\n',
  ],
];
const QUEUE_MARKER = 'mintid: peek';
const queueEdits = [
  ['    push: (x) => (xs.push(x), x),\n', `    peek: () => xs[index], // ${QUEUE_MARKER}\n    push: (x) => (xs.push(x), x),\n`],
];

const files = [
  ['connection.js', MARKER, connectionEdits],
  ['connection.js', CLOSED_MARKER, closedEdits],
  ['index.js', RESERVE_MARKER, indexEdits],
  ['queue.js', QUEUE_MARKER, queueEdits],
];

let patched = 0;
for (const dir of ['src', 'cjs/src', 'cf/src']) {
  for (const [name, marker, edits] of files) {
    const file = `${root}${dir}/${name}`;
    if (!existsSync(file)) continue;
    let text = readFileSync(file, 'utf8');
    if (text.includes(marker)) continue;
    if (!edits.every(([from]) => text.split(from).length === 2)) {
      console.warn(`patch-postgres: ${dir}/${name} is not the expected postgres.js 3.4.9 code; left unpatched.`);
      continue;
    }
    for (const [from, to] of edits) text = text.replace(from, to);
    writeFileSync(file, text);
    patched += 1;
  }
}
if (patched > 0) console.warn(`patch-postgres: guarded postgres.js against writes to closed connections and lost reservations (${patched} file(s)).`);
