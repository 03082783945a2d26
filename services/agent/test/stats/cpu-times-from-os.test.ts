import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuTimesFromOs } from '../../src/index.js';

describe('cpuTimesFromOs', () => {
  it("turns this machine's os.cpus() into one entry per core and their sum", () => {
    const infos = cpus();
    const sample = cpuTimesFromOs(infos);
    expect(sample.cores.size).toBe(infos.length);
    expect(sample.cores.get(0)).toMatchObject({ user: infos[0]?.times.user, system: infos[0]?.times.sys });
    const idle = infos.reduce((sum, info) => sum + info.times.idle, 0);
    expect(sample.total.idle).toBe(idle);
  });

  it('refuses an empty CPU list rather than report a machine without CPUs', () => {
    expect(() => cpuTimesFromOs([])).toThrow(/lists no CPU/);
  });
});
