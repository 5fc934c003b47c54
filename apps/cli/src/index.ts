export { runCli } from './program.js';
export { processTerminal, type Terminal } from './terminal.js';
export { ExitCode, type ExitCodeValue } from './exit-codes.js';
