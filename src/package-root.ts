import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory of this package (where package.json and supabase/ are), found from this file's
 * location, so assets resolve the same from the TypeScript sources (src/) and the build (dist/src/).
 */
function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'supabase'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('mintid-credentials: cannot find the package root');
    dir = parent;
  }
  return dir;
}

export const packageRoot = findPackageRoot();
