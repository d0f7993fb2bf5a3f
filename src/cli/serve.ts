/**
 * `unforget serve`: the service config from `--config` (or the embedded default), the flags over
 * it, then the service until SIGINT or SIGTERM, which close it cleanly (pending commits, a last
 * snapshot). A bad config or flag exits with code 2 before anything starts.
 */
import { ConfigError } from '../core/errors.js';
import { parseServiceConfig } from '../service/service-config.js';
import { startService } from '../service/service.js';
import { readConfigFile } from './config.js';
import { assertWritableFolder } from './writable.js';

export interface ServeFlags {
  readonly config?: string;
  readonly port?: string;
  readonly host?: string;
  readonly dataDir?: string;
}

export async function serveCommand(flags: ServeFlags): Promise<void> {
  const data = (flags.config ? readConfigFile(flags.config) : {}) as Record<string, unknown>;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(flags.config ?? 'config', 'expected a mapping of settings');
  }
  const merged = { ...data };
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!/^\d+$/.test(flags.port) || port > 65535) {
      throw new ConfigError('--port', `expected an integer in [0, 65535], got "${flags.port}"`);
    }
    merged.port = port;
  }
  if (flags.host !== undefined) merged.host = flags.host;
  if (flags.dataDir !== undefined) merged.dataDir = flags.dataDir;
  const config = parseServiceConfig(merged);
  assertWritableFolder(config.dataDir, flags.dataDir !== undefined ? '--data-dir' : 'dataDir');
  const service = await startService(config);
  if (service.newAdminToken) {
    console.log(`admin token (shown this once; only its hash is kept): ${service.newAdminToken}`);
  }
  console.log(
    `unforget serve: listening on ${service.url}, data in ${config.dataDir}, models: ${config.models.map((m) => m.name).join(', ')}`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.log('unforget serve: stopping (committing, snapshotting)');
      void service.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
