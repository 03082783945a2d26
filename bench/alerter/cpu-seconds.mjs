// CPU time of the servers a benchmark started, read from /proc (shared by run.mjs and its ack-floor watcher).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

// CPU seconds used so far by the PostgreSQL processes of the cluster in `pgDir`: the postmaster,
// its live children, and its exited children (cutime, cstime).
export async function postgresCpuSeconds(pgDir) {
  const pid = Number((await readFile(join(pgDir, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const ticks = 100; // getconf CLK_TCK on Linux
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [ppid, utime, stime, cutime, cstime] = [Number(f[1]), Number(f[11]), Number(f[12]), Number(f[13]), Number(f[14])];
    if (Number(entry) === pid) total += utime + stime + cutime + cstime;
    else if (ppid === pid) total += utime + stime;
  }
  return total / ticks;
}

// CPU seconds used so far by the nats-server started with its files in `natsDir`.
export async function natsCpuSeconds(natsDir) {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!(await readFile(`/proc/${entry}/cmdline`, 'utf8')).includes(natsDir)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      continue;
    }
  }
  return 0;
}

// CPU seconds used so far by each thread of this process, by thread id, from the scheduler's
// nanosecond count (/proc/self/task/*/schedstat): the service's main thread has the process id,
// its stream worker and V8's helper threads others.
export async function threadCpuSeconds() {
  const threads = {};
  for (const tid of await readdir('/proc/self/task')) {
    try {
      threads[tid] = Number((await readFile(`/proc/self/task/${tid}/schedstat`, 'utf8')).split(' ')[0]) / 1e9;
    } catch {
      continue;
    }
  }
  return threads;
}
