// Runs the built ingest service as its own process, exactly as `hostwatch ingest` does, for the
// tests that kill it with SIGKILL (HOSTWATCH_TEST_CRASH_AT makes it kill itself mid-batch).
import process from 'node:process';
import { runIngest } from '@hostwatch/ingest';

process.exitCode = await runIngest(process.env);
