import { WebSocket } from 'ws';

/**
 * supabase-js refuses to construct a client without a WebSocket implementation (for realtime),
 * which Node 22 provides and Node 20 does not. This gives Node 20 the same global from `ws`, once,
 * for the CLI and the local stack; nothing here subscribes to realtime.
 */
if (typeof globalThis.WebSocket === 'undefined') {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
}
