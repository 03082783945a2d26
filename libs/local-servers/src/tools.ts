import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Programs the local stack and the test kit start, as `scripts/ensure.mjs` found or installed them. */
export interface Tools {
  readonly natsServer: string;
  readonly pgBin: string;
}

/** The hostwatch checkout at or above `from`: the directory holding `turbo.json`. */
export function repoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'turbo.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no hostwatch checkout above ${from}`);
    dir = parent;
  }
  return dir;
}

/** Reads `.hostwatch/tools.json`, with `NATS_SERVER_BIN` and `PG_BIN` taking precedence. */
export function findTools(cwd: string = process.cwd()): Tools {
  const file = join(repoRoot(cwd), '.hostwatch', 'tools.json');
  const saved: Partial<Tools> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Tools>) : {};
  const natsServer = process.env['NATS_SERVER_BIN'] ?? saved.natsServer;
  const pgBin = process.env['PG_BIN'] ?? saved.pgBin;
  if (!natsServer || !pgBin) {
    throw new Error(`nats-server or PostgreSQL not found: run 'npm start' or 'npm test' once (scripts/ensure.mjs installs them), or set NATS_SERVER_BIN and PG_BIN`);
  }
  return { natsServer, pgBin };
}
