import { createInterface, type Interface } from 'node:readline';
import type { Terminal } from '../terminal.js';

/** A yes/no question on the terminal; Ctrl-C or Ctrl-D at the prompt answers no. */
export interface Question {
  answer: Promise<boolean>;
  /** Withdraws the question (the answer resolves `false`). */
  withdraw(): void;
}

/** Asks `text` (default No) on stderr and reads the answer from stdin. */
export function askYesNo(terminal: Terminal, text: string): Question {
  const rl: Interface = createInterface({
    input: terminal.stdin,
    output: terminal.stderr,
    terminal: true,
  });
  let settle!: (yes: boolean) => void;
  let settled = false;
  const answer = new Promise<boolean>((resolve) => {
    settle = (yes) => {
      if (settled) return;
      settled = true;
      rl.close();
      resolve(yes);
    };
  });
  // in raw mode Ctrl-C reaches readline, not the process: it means "no, leave it running"
  rl.on('SIGINT', () => {
    terminal.stderr.write('\n');
    settle(false);
  });
  rl.on('close', () => settle(false));
  rl.question(text, (reply) => settle(/^\s*y(es)?\s*$/i.test(reply)));
  return { answer, withdraw: () => settle(false) };
}
