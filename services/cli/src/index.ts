export { main } from './main.js';
export { UsageError, type Command, type CommandIo } from './command.js';
