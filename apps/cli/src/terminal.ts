/** The streams and signals the CLI talks through; one object so that nothing reaches for `process` deep in the code. */
export interface Terminal {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  /** Runs `handler` on each Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

/** The real process's terminal. */
export function processTerminal(): Terminal {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

/** Progress is redrawn in place only when a person watches stderr. */
export function canRedraw(terminal: Terminal): boolean {
  return terminal.stderr.isTTY === true && terminal.env.TERM !== 'dumb';
}

/** A question needs a person at the keyboard: stdin and stderr both terminals. */
export function canAsk(terminal: Terminal): boolean {
  return terminal.stdin.isTTY === true && terminal.stderr.isTTY === true;
}
