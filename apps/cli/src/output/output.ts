import type { Terminal } from '../terminal.js';
import type { CliError } from '../exit-codes.js';

/**
 * Where a command's answer goes. With `--json` stdout carries exactly one JSON document
 * (the API's own shapes, so scripts can rely on the schema) and text is suppressed; without
 * it, text goes to stdout. Notes (progress, hints) always go to stderr so that stdout stays
 * clean for pipes.
 */
export class Output {
  constructor(
    private readonly terminal: Terminal,
    readonly json: boolean,
  ) {}

  /** The command's answer: `value` with `--json`, else the text `render()` makes. */
  result(value: unknown, render: () => string): void {
    if (this.json) this.terminal.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else {
      const text = render();
      if (text) this.terminal.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A line for the person watching (stderr); kept out of `--json` stdout. */
  note(text: string): void {
    this.terminal.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A failure: its message on stderr, or a JSON error document on stdout with `--json`. */
  failure(error: CliError): void {
    if (this.json) {
      this.terminal.stdout.write(
        `${JSON.stringify({ error: { code: error.code, message: error.message, exit_code: error.exitCode } }, null, 2)}\n`,
      );
    } else {
      this.terminal.stderr.write(`ktrdr: ${error.message}\n`);
    }
  }
}
