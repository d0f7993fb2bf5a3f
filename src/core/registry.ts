/**
 * A typed, open map from names to entries: how configs and flags name benchmarks, models and
 * strategies. An unknown name is refused with the known ones and a "did you mean"; a user adds
 * their own entry with `register`.
 */
import { ConfigError } from './errors.js';
import { didYouMean } from './validation.js';

export interface Registry<Entry extends { readonly name: string }> {
  /** The entry called `name`; an unknown name throws a ConfigError naming `field`. */
  get(name: string, field?: string): Entry;
  has(name: string): boolean;
  names(): string[];
  entries(): Entry[];
  /** Adds an entry (a method, model or benchmark of your own); a name already taken is refused. */
  register(entry: Entry): void;
}

/** A registry of `kind` (`strategy`, `model`, `benchmark`) holding `entries`, in that order. */
export function createRegistry<Entry extends { readonly name: string }>(
  kind: string,
  entries: readonly Entry[],
): Registry<Entry> {
  const byName = new Map<string, Entry>();
  const registry: Registry<Entry> = {
    get(name, field = kind) {
      const entry = byName.get(name);
      if (entry) return entry;
      const guess = didYouMean(name, [...byName.keys()]);
      throw new ConfigError(
        field,
        `unknown ${kind} ${JSON.stringify(name)}${guess ? `; did you mean ${guess}?` : ''} (known: ${[...byName.keys()].join(', ')})`,
      );
    },
    has: (name) => byName.has(name),
    names: () => [...byName.keys()],
    entries: () => [...byName.values()],
    register(entry) {
      if (byName.has(entry.name)) {
        throw new ConfigError(kind, `a ${kind} named ${JSON.stringify(entry.name)} is registered already`);
      }
      byName.set(entry.name, entry);
    },
  };
  entries.forEach((entry) => registry.register(entry));
  return registry;
}
