// `npm run console:build`: dist/console/ from console/ (static files; config.json is read at run
// time). With --if-stale (what `npm run build`, and so `npm install`, runs) it builds only when
// dist/console/ is missing or was built from other sources.
import { buildConsole, consoleDistDir, ensureConsoleBuilt } from '../src/local/console-build.js';

if (process.argv.includes('--if-stale')) {
  const built = await ensureConsoleBuilt();
  console.log(built ? `console built into ${consoleDistDir()}/` : `console in ${consoleDistDir()}/ is up to date`);
} else {
  await buildConsole();
  console.log(`console built into ${consoleDistDir()}/ — serve it with a config.json next to index.html (docs/console.md)`);
}
