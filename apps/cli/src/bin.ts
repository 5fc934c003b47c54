#!/usr/bin/env node
import { runCli } from './program.js';
import { processTerminal } from './terminal.js';

const code = await runCli(process.argv.slice(2), processTerminal());
process.exitCode = code;
// Keep-alive sockets or a reconnecting event stream must not hold the exit back; stdout
// and stderr are flushed first (the timer only fires if something still lingers).
setTimeout(() => process.exit(code), 500).unref();
