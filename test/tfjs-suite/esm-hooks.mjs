// Node module hooks that let the tfjs-core test files run in Node, through ONE copy of tfjs.
//
// tfjs-core and tfjs-backend-cpu publish their sources as ES modules under dist/ (with
// extensionless relative imports) inside packages that do not declare "type": "module", so
// Node would read them as CommonJS. Their "main" entries are separate CommonJS bundles
// (tf-core.node.js, tf-backend-cpu.node.js). Loading the test files (ESM tree) next to a backend
// registered through the bundles would give two tfjs instances whose classes and module state
// differ. These hooks therefore:
//   - serve every .js file under those two dist/ folders (but not the bundles) as an ES module;
//   - complete extensionless relative specifiers there (`./foo` -> `./foo.js` or `./foo/index.js`);
//   - give CommonJS dependencies imported from that tree (seedrandom) an ES module facade that
//     exports each property by name, as the bundlers tfjs is built with do: Node's own
//     CommonJS interop misses properties assigned after creation (`seedrandom.alea`);
//   - send the bare specifiers `@tensorflow/tfjs-core` and `@tensorflow/tfjs-backend-cpu` (and
//     their `/dist/...` deep paths), from ANY importer, to the ESM tree: the project's backend
//     code and the tests then share one tfjs-core.
// CommonJS `require` does not go through these hooks; the runner checks afterwards that no
// bundle was loaded that way (see assertSingleTfjs in worker.ts).
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const ESM_PACKAGES = {
  '@tensorflow/tfjs-core': { bundle: /\/dist\/tf-core[^/]*\.js$/ },
  '@tensorflow/tfjs-backend-cpu': { bundle: /\/dist\/tf-backend-cpu[^/]*\.js$/ },
};

/** @type {Map<string, string>} package name -> file URL of its dist/ folder (with trailing slash) */
let distUrls = new Map();

/**
 * @param {{ root: string }} data the project root (file URL), where node_modules lives.
 * The dist/ folders are taken through realpath, as Node does for the URLs it resolves:
 * node_modules may be a symlink, and one file under two URLs would be two module instances.
 */
export function initialize(data) {
  distUrls = new Map(
    Object.keys(ESM_PACKAGES).map((name) => {
      const dist = realpathSync(fileURLToPath(new URL(`node_modules/${name}/dist/`, data.root)));
      return [name, pathToFileURL(dist).href + '/'];
    }),
  );
}

/** The package whose ESM dist/ tree holds `url` (bundles and miniprogram excluded), or null. */
function esmPackageOf(url) {
  for (const [name, dist] of distUrls) {
    if (!url.startsWith(dist)) continue;
    if (ESM_PACKAGES[name].bundle.test(url) || url.startsWith(`${dist}miniprogram/`)) return null;
    return url.endsWith('.js') ? name : null;
  }
  return null;
}

function isFile(path) {
  return existsSync(path) && statSync(path).isFile();
}

/** A file URL from an extensionless specifier, completed as TypeScript output expects, or null. */
function completeFileUrl(url) {
  const base = url.replace(/\/+$/, ''); // '..' resolves to 'dist/': complete it to 'dist/index.js'
  if (isFile(fileURLToPath(base))) return base;
  for (const candidate of [`${base}.js`, `${base}/index.js`]) {
    if (isFile(fileURLToPath(candidate))) return candidate;
  }
  return null;
}

const FACADE = '?tfjs-suite-esm-facade';

/** `./x`, `../x`, and also `.` and `..` (rand_test.js imports from '..'). */
function isRelative(specifier) {
  return /^\.{1,2}(\/|$)/.test(specifier);
}

function isBareSpecifier(specifier) {
  return !/^(\.{1,2}\/|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier) && !isBuiltin(specifier);
}

/**
 * Whether a resolved file is CommonJS (Node's resolver leaves `format` unset for plain .js
 * files): .cjs, or .js whose nearest package.json does not say "type": "module".
 */
function isCommonJs({ url, format }) {
  if (format) return format === 'commonjs';
  if (!url.startsWith('file:') || url.endsWith('.mjs')) return false;
  if (url.endsWith('.cjs')) return true;
  if (!url.endsWith('.js')) return false;
  for (let dir = dirname(fileURLToPath(url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
    if (dirname(dir) === dir) return true;
  }
}

/** ES module source re-exporting a CommonJS module's properties by name. */
function facadeSource(url) {
  const path = fileURLToPath(url);
  const exports = createRequire(url)(path);
  const names = Object.keys(exports).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
  return [
    `import { createRequire } from 'node:module';`,
    `const m = createRequire(${JSON.stringify(url)})(${JSON.stringify(path)});`,
    'export default m;',
    ...names.map((k) => `export const ${k} = m[${JSON.stringify(k)}];`),
  ].join('\n');
}

export async function resolve(specifier, context, nextResolve) {
  for (const [name, dist] of distUrls) {
    if (specifier === name) return { url: `${dist}index.js`, shortCircuit: true };
    if (specifier.startsWith(`${name}/dist/`)) {
      const url = completeFileUrl(new URL(specifier.slice(name.length + '/dist/'.length), dist).href);
      if (url) return { url, shortCircuit: true };
    }
  }
  const parent = context.parentURL;
  if (parent && esmPackageOf(parent) && isRelative(specifier)) {
    const url = completeFileUrl(new URL(specifier, parent).href);
    if (url) return { url, shortCircuit: true };
  }
  if (parent && esmPackageOf(parent) && isBareSpecifier(specifier)) {
    const resolved = await nextResolve(specifier, context);
    if (isCommonJs(resolved)) return { ...resolved, url: resolved.url + FACADE };
    return resolved;
  }
  return nextResolve(specifier, context);
}

/** file path -> the URL it was loaded under, to catch a second instance of a tfjs module. */
const loaded = new Map();

export async function load(url, context, nextLoad) {
  if (esmPackageOf(url)) {
    const path = fileURLToPath(url);
    const first = loaded.get(path);
    if (first !== undefined && first !== url) {
      throw new Error(`${path} would be loaded twice, as ${first} and as ${url}: two tfjs instances`);
    }
    loaded.set(path, url);
    return { format: 'module', source: await readFile(path), shortCircuit: true };
  }
  if (url.endsWith(FACADE)) {
    return { format: 'module', source: facadeSource(url.slice(0, -FACADE.length)), shortCircuit: true };
  }
  return nextLoad(url, context);
}
