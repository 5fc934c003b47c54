import type { Operation } from '@ktrdr/shared';
import { etaText, percentText, progressText } from './progress-text.js';

/** How a followed operation's progress is shown. */
export interface ProgressView {
  /** The operation changed (status or progress). */
  update(op: Operation): void;
  /** A line for the reader, printed above the live bar. */
  note(text: string): void;
  /** Stops drawing (while a question is asked) until {@link resume}. */
  pause(): void;
  resume(): void;
  /** Removes the live bar for good. */
  close(): void;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `width` cells, drawn to an eighth of a cell. */
export function bar(percentage: number, width: number): string {
  const eighths = Math.round((Math.min(100, Math.max(0, percentage)) / 100) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = EIGHTHS[eighths % 8] ?? '';
  return `${'█'.repeat(full)}${part}`.padEnd(width, ' ');
}

const CLEAR_LINE = '\r\u001b[2K';
const REDRAW_EVERY_MS = 100;

/**
 * One line redrawn in place (carriage return + erase line), cut to the terminal's width so
 * that it never wraps: a wrapped line cannot be redrawn cleanly.
 */
export class RedrawingProgressView implements ProgressView {
  private op: Operation | undefined;
  private drawn = false;
  private paused = false;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(op: Operation): void {
    this.op = op;
    const wait = this.lastDraw + REDRAW_EVERY_MS - Date.now();
    if (wait <= 0) this.draw();
    else this.timer ??= setTimeout(() => this.draw(), wait);
  }

  note(text: string): void {
    this.erase();
    this.stream.write(`${text}\n`);
    this.draw();
  }

  pause(): void {
    this.erase();
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.draw();
  }

  close(): void {
    this.erase();
    this.paused = true;
  }

  private erase(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.drawn) this.stream.write(CLEAR_LINE);
    this.drawn = false;
  }

  private draw(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.paused || !this.op) return;
    this.lastDraw = Date.now();
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    const op = this.op;
    const line = [
      `▕${bar(op.progress.percentage, 20)}▏`,
      percentText(op),
      progressText(op),
      etaText(op),
    ]
      .filter(Boolean)
      .join('  ');
    this.stream.write(`${CLEAR_LINE}${truncate(line, width)}`);
    this.drawn = true;
  }
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * For pipes, logs and CI: a line per step (an epoch, a chunk; a tenth of the way for jobs
 * without steps) and per status change, never a control character.
 */
export class LineProgressView implements ProgressView {
  private lastKey = '';

  constructor(private readonly stream: NodeJS.WritableStream) {}

  update(op: Operation): void {
    const p = op.progress;
    const step = p.steps_total > 0 ? `s${p.steps_completed}` : `d${Math.floor(p.percentage / 10)}`;
    const key = `${op.status}:${op.attempt}:${step}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    const eta = etaText(op);
    this.stream.write(`[${percentText(op)}] ${progressText(op)}${eta ? ` · ${eta}` : ''}\n`);
  }

  note(text: string): void {
    this.stream.write(`${text}\n`);
  }

  pause(): void {}
  resume(): void {}
  close(): void {}
}
