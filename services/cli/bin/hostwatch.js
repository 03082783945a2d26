#!/usr/bin/env node
import { main } from '../dist/main.js';

// Exit as soon as the command is done: a service has stopped its components in order by then, and
// a handle something left open (a reconnect timer, a file watcher) must not keep the process alive.
process.exit(await main(process.argv.slice(2)));
