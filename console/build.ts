// `npm run console:build`: dist/console/ from console/ (static files; config.json is read at run time).
import { buildConsole, consoleDistDir } from '../src/local/console-build.js';

await buildConsole();
console.log(`console built into ${consoleDistDir()}/ — serve it with a config.json next to index.html (docs/console.md)`);
