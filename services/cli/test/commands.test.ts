import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.js';
import { main } from '../src/main.js';

function buffer(): Writable & { text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return Object.assign(stream, { text: () => text });
}

describe('the hostwatch command', () => {
  it('finds each command under the words its module answers to', async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect(command.path).toEqual(entry.path);
      expect(command.summary.length).toBeGreaterThan(10);
    }
  });

  it('lists every command in --help and refuses an unknown one with exit code 2', async () => {
    const stdout = buffer();
    const stderr = buffer();
    const io = { stdin: process.stdin, stdout, stderr, env: {}, cwd: process.cwd() };
    expect(await main(['--help'], io)).toBe(0);
    for (const entry of commands) expect(stdout.text()).toContain(`  ${entry.path.join(' ')}`);
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(stderr.text()).toMatch(/unknown command 'frobnicate'/);
  });
});
