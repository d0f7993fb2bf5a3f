#!/usr/bin/env node
// The `unforget` command: the compiled CLI (dist/, what an installed package runs), or the
// TypeScript sources through tsx in a checkout that has no build or whose sources were edited
// after it; a build passed over is said once, so a stale dist/ never runs in place of an edit.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const sources = fileURLToPath(new URL('../src', import.meta.url));
const entry = join(sources, 'cli', 'main.ts');

/** The newest modification time of the TypeScript sources under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) latest = Math.max(latest, newest(path));
    else if (e.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

const checkout = existsSync(entry);
const built = existsSync(compiled);
if (built && (!checkout || newest(sources) <= statSync(compiled).mtimeMs)) {
  await import(pathToFileURL(compiled).href);
} else {
  if (built) {
    process.stderr.write(
      'unforget: src/ is newer than dist/; running the sources (npm run build updates dist/)\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(entry).href);
}
