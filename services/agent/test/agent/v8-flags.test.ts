import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AGENT_V8_FLAGS } from '../../src/index.js';

// The flags change the whole process, so they are tried in a child: the built module, as `hostwatch agent` loads it.
const built = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'v8-flags.js')).href;

// V8's %GetOptimizationStatus bit for code made by TurboFan (src/runtime/runtime-test.cc).
const TURBOFANNED = 1 << 6;

function optimizationStatus(applyFlags: boolean): number {
  const script = `
    const { applyAgentV8Flags } = await import(${JSON.stringify(built)});
    if (${applyFlags}) applyAgentV8Flags();
    function hot(x) { return x * 2 + 1; }
    %PrepareFunctionForOptimization(hot);
    hot(1);
    hot(2);
    %OptimizeFunctionOnNextCall(hot);
    hot(3);
    process.stdout.write(String(%GetOptimizationStatus(hot)));
  `;
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('');
  return Number(child.stdout);
}

describe('the V8 flags the agent sets for itself', () => {
  it('turn the optimizing compiler off when set at run time', () => {
    expect(AGENT_V8_FLAGS).toContain('--no-opt');
    expect(optimizationStatus(false) & TURBOFANNED).toBe(TURBOFANNED);
    expect(optimizationStatus(true) & TURBOFANNED).toBe(0);
  });
});
