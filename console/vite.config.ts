// Builds the console (SPEC §11) into dist/console/: static files served under /console/ that read
// the Supabase URL and anon key from ./config.json at run time (docs/console.md).
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The typed client's default hasher is the Node one (@node-rs/argon2, imported lazily). The console
 * always passes its own (the WASM hasher in a Web Worker), so the Node module is replaced by a stub
 * that refuses, instead of pulling a native module into the browser bundle.
 */
function nodeHasherStub(): Plugin {
  return {
    name: 'mintid-node-hasher-stub',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === '../secrets/hash.js' && importer?.includes('/src/client/')) return here('./src/node-hasher-stub.ts');
      return null;
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: false,
  plugins: [nodeHasherStub()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  worker: { format: 'es' },
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
