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

const { url, marks, pgDir, natsDir } = workerData;
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
for (const mark of marks) {
  for (;;) {
    if ((await floor()) >= mark) {
      parentPort.postMessage({ mark, ...(await snapshot()) });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
await nc.close();
