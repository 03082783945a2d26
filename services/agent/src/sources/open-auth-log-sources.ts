import { access, constants } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AgentConfig } from '../config/agent-config.js';
import type { LogSource, SourcePosition } from '../pipeline/auth-log-pipeline.js';
import { FileTailer } from './file-tailer.js';
import { PositionStore } from './position-store.js';
import type { SourceLogger } from './source-logger.js';

/** Where sshd logs are looked for when no path is configured. */
export const DEFAULT_AUTH_LOGS = ['/var/log/auth.log', '/var/log/secure'];

/** No auth log could be read, and the configuration asked for one. */
export class NoAuthLogError extends Error {
  override readonly name = 'NoAuthLogError';
}

async function readable(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** The auth log sources the configuration names, or the ones found on this host. */
export async function openAuthLogSources(config: AgentConfig, log: SourceLogger): Promise<LogSource<SourcePosition>[]> {
  if (config.authLogSource === 'none') return [];
  const positions = new PositionStore(join(config.stateDir, 'positions'));
  const configured = config.authLogPaths && config.authLogPaths.length > 0 ? config.authLogPaths : undefined;
  const candidates = configured ?? DEFAULT_AUTH_LOGS;
  const paths: string[] = [];
  for (const path of candidates) if (await readable(path)) paths.push(path);
  if (paths.length === 0) {
    throw new NoAuthLogError(
      `no readable auth log: tried ${candidates.join(', ')}; run the agent in group adm (or root), set AUTH_LOG_PATHS, or AUTH_LOG_SOURCE=none to send statistics only`,
    );
  }
  return paths.map(
    (path) =>
      new FileTailer({
        path,
        positions,
        positionKey: basename(path),
        fromStart: config.fromStart,
        exitAtEnd: config.exitAtEnd,
        log,
      }),
  );
}
