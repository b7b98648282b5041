import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ChainHead } from './verify.js';

/** The anchor file of `mintid audit verify --anchor`: each brand's chain head at the last clean run. */
const anchorFileSchema = z.object({
  heads: z.array(z.object({
    brandId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    seq: z.string().regex(/^[1-9][0-9]*$/),
    digest: z.string().regex(/^[0-9a-f]{64}$/),
  })),
});

/** The heads saved in the file, or none when it does not exist yet. A malformed file is an error. */
export async function readAnchors(file: string): Promise<ChainHead[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = anchorFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not an anchor file of mintid audit verify`);
  return parsed.data.heads;
}

/** Saves the new heads (keeping anchors of brands not verified this time), atomically. */
export async function writeAnchors(file: string, previous: ChainHead[], heads: ChainHead[]): Promise<void> {
  const merged = new Map(previous.map((h) => [h.brandId, h]));
  for (const head of heads) merged.set(head.brandId, head);
  const content = `${JSON.stringify({ savedAt: new Date().toISOString(), heads: [...merged.values()] }, null, 2)}\n`;
  await writeFile(`${file}.tmp`, content);
  await rename(`${file}.tmp`, file);
}
