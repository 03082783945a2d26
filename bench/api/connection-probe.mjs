// Where the first second of a measurement at 100 connections goes (bench/api/run.mjs with
// BENCH_ONLY=probe): bursts of requests from a minimal client of raw sockets (no HTTP library, a
// request is one prebuilt buffer, a response is read up to its Content-Length), so that nearly all
// of what is measured is the server's and the kernel's. Each round, on 100 connections:
//   fresh, sent at once: 100 sockets opened in one loop, each writing its request as it is created
//     (what autocannon does), each timed from the moment just before its socket was created;
//   fresh, connected first: 100 sockets opened and connected, and 50 ms later 100 requests written
//     in one loop: the first request of each connection without the connect itself;
//   warm: 100 requests written in one loop on the same connections, each answered once before.
// Each figure is the time from the first request's send to the last response of the burst, and the
// burst's p50 and slowest request.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const HEAD_END = Buffer.from('\r\n\r\n');

/** One HTTP/1.1 keep-alive connection that sends one request at a time and times it. */
class ProbeConnection {
  constructor(port) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.pending = undefined;
    this.chunks = [];
    this.socket.on('data', (chunk) => this.#onData(chunk));
  }

  /** Writes `request` and resolves with [sent, answered] (performance.now() ms) and the status. */
  send(request) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, sent: performance.now(), need: undefined, have: 0, status: 0 };
      this.socket.write(request);
    });
  }

  #onData(chunk) {
    const p = this.pending;
    if (p === undefined) return;
    if (p.need === undefined) {
      this.chunks.push(chunk);
      const all = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks);
      this.chunks = [all];
      const end = all.indexOf(HEAD_END);
      if (end < 0) return;
      const head = all.subarray(0, end).toString('latin1');
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (length === null) {
        p.reject(new Error(`no Content-Length in ${head.slice(0, 200)}`));
        return;
      }
      p.status = Number(head.slice(9, 12));
      p.need = end + 4 + Number(length[1]);
      p.have = all.length;
      this.chunks = [];
    } else {
      p.have += chunk.length;
    }
    if (p.have >= p.need) {
      this.pending = undefined;
      p.resolve({ sent: p.sent, answered: performance.now(), status: p.status });
    }
  }

  close() {
    this.socket.destroy();
  }
}

const requestBuffer = (path, headers) =>
  Buffer.from(
    `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`,
  );

/** The figures of one burst: first send to last answer, p50 and slowest request, in ms. */
function burstFigures(results, from = Math.min(...results.map((r) => r.sent))) {
  const latencies = results.map((r) => r.answered - r.sent).sort((a, b) => a - b);
  return {
    span: Math.max(...results.map((r) => r.answered)) - from,
    p50: latencies[Math.floor(latencies.length / 2)],
    max: latencies.at(-1),
    failed: results.filter((r) => r.status < 200 || r.status > 299).length,
  };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `rounds` rounds of the three bursts against 127.0.0.1:`port`, `path()` giving each request's
 * path; returns one row of figures per round.
 */
export async function probeConnections({ port, path, headers = {}, connections = 100, rounds = 8 }) {
  const rows = [];
  for (let round = 0; round < rounds; round++) {
    // Fresh, each request written as its socket is created.
    const created = performance.now();
    const fresh = [];
    const answers = [];
    for (let i = 0; i < connections; i++) {
      const c = new ProbeConnection(port);
      const sent = performance.now();
      answers.push(c.send(requestBuffer(path(), headers)).then((r) => ({ ...r, sent })));
      fresh.push(c);
    }
    const atOnce = burstFigures(await Promise.all(answers), created);
    await pause(50);
    // Warm: the same connections again.
    const warm = burstFigures(await Promise.all(fresh.map((c) => c.send(requestBuffer(path(), headers)))));
    for (const c of fresh) c.close();
    await pause(50);
    // Fresh, connected before the burst.
    const opened = Array.from({ length: connections }, () => new ProbeConnection(port));
    await Promise.all(opened.map((c) => c.connected));
    await pause(50);
    const connectedFirst = burstFigures(
      await Promise.all(opened.map((c) => c.send(requestBuffer(path(), headers)))),
    );
    for (const c of opened) c.close();
    rows.push({ atOnce, connectedFirst, warm });
    await pause(200);
  }
  return rows;
}
