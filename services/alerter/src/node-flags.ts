/**
 * The Node flags the alerter is started with, wherever it is deployed (the local stack, compose,
 * Kubernetes; the deploy tests check the manifests carry them). `--single-threaded-gc`: on two
 * cores busy with the stream worker, the main thread, PostgreSQL and nats-server, V8's parallel
 * collector helpers cost more CPU than they save (node CPU per 40,000 messages in four interleaved
 * pairs of the whole-service benchmark: 2.27–2.75 s against 2.48–2.93 s without). V8 accepts the
 * flag only on the command line: not in `NODE_OPTIONS`, and setting it at run time aborts the process.
 */
export const ALERTER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];
