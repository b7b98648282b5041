// Placeholder until the scale mode lands.
import type { BenchEnv } from './setup.js';

export async function scaleTable(_env: BenchEnv, _options: { seconds: number; warmupSeconds: number; concurrency: number }, _log: (line: string) => void): Promise<string> {
  return '_not implemented yet_';
}
