// Runs the built alerter as its own process, exactly as `hostwatch alerter` does, for the tests
// that kill it with SIGKILL.
import process from 'node:process';
import { main } from '@hostwatch/alerter';

process.exitCode = await main(process.env);
