import { connect, type Connection, type GlobalOptions } from './connection.js';
import { Output } from './output/output.js';
import type { Terminal } from './terminal.js';

/** What every command runs with: the terminal, where its answer goes, and the backend. */
export interface CommandContext {
  terminal: Terminal;
  output: Output;
  /** Resolved lazily: commands that never talk to the backend never need a URL or token. */
  connection(): Connection;
}

/** Builds the context from the global flags. */
export function commandContext(terminal: Terminal, flags: GlobalOptions): CommandContext {
  let connection: Connection | undefined;
  return {
    terminal,
    output: new Output(terminal, flags.json === true),
    connection: () => (connection ??= connect(flags, terminal.env)),
  };
}
