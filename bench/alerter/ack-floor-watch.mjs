// Worker thread of run.mjs: polls the alerter consumer's ack floor on a NATS connection of its own
// and reports when it first reaches each mark, with the CPU time used so far by this process, by
// PostgreSQL and by nats-server. It has its own event loop, so the times it reports
// are not delayed by the service's work on the main thread (a poll from the main thread is answered
// only once the batch being opened there is done, which moved the first-round mark by up to a
// batch and made the later rounds look faster or slower than they were).
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsCpuSeconds, postgresCpuSeconds, threadCpuSeconds } from './cpu-seconds.mjs';

const { url, marks, near, pgDir, natsDir } = workerData;
// This thread's id (its CPU is the benchmark's, not the service's); read synchronously, on this thread.
const watcherTid = readlinkSync('/proc/thread-self').split('/').pop();
const nc = await connect({ servers: url });
const jsm = await jetstreamManager(nc);
const floor = async () => (await jsm.consumers.info('HOSTWATCH', 'alerter')).ack_floor.stream_seq;
// Epoch milliseconds with fractions, comparable with the main thread's timeOrigin + now(), and the
// monotonic clock in microseconds (a CPU profile's timestamps); CPU read after the time.
const snapshot = async () => {
  const at = performance.timeOrigin + performance.now();
  const monoUs = Number(process.hrtime.bigint() / 1000n);
  const cpu = process.cpuUsage();
  return { at, monoUs, watcherTid, nodeS: (cpu.user + cpu.system) / 1e6, threads: await threadCpuSeconds(), pgS: await postgresCpuSeconds(pgDir), natsS: await natsCpuSeconds(natsDir) };
};
parentPort.postMessage({ floor: await floor(), ...(await snapshot()) });
// Every 5 ms within `near` messages of a mark, every 25 ms before: each poll is a JetStream API
// request, and polling every 5 ms throughout took about 5 µs of this process's CPU (and some of
// nats-server's) per message measured, on a machine with two cores.
// A service that stopped acknowledging (a broken build) fails the benchmark instead of holding
// the machine's benchmark lock for good.
const STALL_MS = 120_000;
let seen = -1;
let since = performance.now();
for (const mark of marks) {
  for (;;) {
    const at = await floor();
    if (at >= mark) {
      parentPort.postMessage({ mark, ...(await snapshot()) });
      break;
    }
    if (at !== seen) [seen, since] = [at, performance.now()];
    else if (performance.now() - since > STALL_MS) throw new Error(`the alerter acknowledged nothing for ${STALL_MS / 1000} s (ack floor ${at}, waiting for ${mark})`);
    await new Promise((resolve) => setTimeout(resolve, mark - at > near ? 25 : 5));
  }
}
await nc.close();
