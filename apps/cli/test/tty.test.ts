import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { SLOW_STRATEGY, startCliCluster, type CliCluster } from './cli-fixture.js';
import { spawnKtrdrInTerminal } from './ktrdr-process.js';
import { replayTerminal } from './screen.js';

const OP_ID = /op_backtesting_\d{8}_\d{6}_[0-9a-f]{8}/;
const COLUMNS = 100;

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// `script` (util-linux) gives the CLI a real pseudo-terminal; without it there is no TTY to test
describe(
  'ktrdr --follow on a real terminal',
  { skip: !hasScript() && 'util-linux `script` is not installed' },
  () => {
    let cluster: CliCluster;
    before(async () => {
      cluster = await startCliCluster({ backtesters: 2, trainers: 0 });
    });
    after(async () => cluster.close());

    it('redraws one line in place, never wider than the terminal, and leaves a clean summary', async () => {
      const proc = spawnKtrdrInTerminal(
        ['backtest', 'sma_crossover', '--follow'],
        cluster.env,
        COLUMNS,
      );
      const run = await proc.done;
      assert.equal(run.code, 0, run.stdout);
      const raw = run.stdout;
      const redraws = raw.split('\r\u001b[2K').length - 1;
      assert.ok(redraws >= 10, `the bar was redrawn in place (${redraws} times)`);
      assert.doesNotMatch(raw, /^\[\s*\d+\.\d%\]/m, 'no line-per-step output on a terminal');

      const screen = replayTerminal(raw, COLUMNS);
      assert.deepEqual(screen.unknown, [], 'only carriage return, newline and erase-line are used');
      assert.equal(screen.overflow, 0, 'the live line never wraps');
      const lines = screen.lines.filter((l) => l !== '');
      const id = OP_ID.exec(raw)?.[0] as string;
      assert.equal(lines[0], `${id} running`);
      assert.match(lines[1] ?? '', /^running on backtesting-/);
      assert.match(lines[2] ?? '', new RegExp(`^✔ ${id} completed in \\d+ s on backtesting-`));
      assert.match(lines[3] ?? '', /^ {2}sma_crossover · SP500 1d · 2000-01-01 → 2020-12-31$/);
      assert.match(lines[4] ?? '', /^ {2}total return\s+[+-]\d+\.\d\d %$/);
      assert.ok(
        lines.every((l) => !l.includes('▕')),
        `no remnant of the progress bar is left on screen:\n${lines.join('\n')}`,
      );
    });

    it('Ctrl-C asks before cancelling; "n" detaches (130) and the operation keeps running', async () => {
      const proc = spawnKtrdrInTerminal(
        ['backtest', SLOW_STRATEGY, '--follow'],
        cluster.env,
        COLUMNS,
      );
      const [id] = await proc.waitForOutput(OP_ID);
      await proc.waitForOutput(/[1-9]\d?\.\d%\s+slow_cross on LONG/);
      proc.child.stdin?.write('\u0003');
      await proc.waitForOutput(new RegExp(`Cancel ${id} on the workers\\? \\[y/N\\] `));
      proc.child.stdin?.write('n\r');
      const run = await proc.done;
      assert.equal(run.code, 130, run.stdout);
      assert.match(run.stdout, new RegExp(`Detached: ${id} keeps running`));
      assert.equal((await cluster.client.getOperation(id)).status, 'running');
      await cluster.client.cancelOperation(id);
    });

    it('Ctrl-C then "y" cancels on the workers and exits 3', async () => {
      const proc = spawnKtrdrInTerminal(
        ['backtest', SLOW_STRATEGY, '--follow'],
        cluster.env,
        COLUMNS,
      );
      const [id] = await proc.waitForOutput(OP_ID);
      await proc.waitForOutput(/[1-9]\d?\.\d%\s+slow_cross on LONG/);
      proc.child.stdin?.write('\u0003');
      await proc.waitForOutput(/\[y\/N\] /);
      proc.child.stdin?.write('y\r');
      const run = await proc.done;
      assert.equal(run.code, 3, run.stdout);
      const screen = replayTerminal(run.stdout, COLUMNS).lines.join('\n');
      assert.match(screen, new RegExp(`■ ${id} cancelled`));
      assert.equal((await cluster.client.getOperation(id)).status, 'cancelled');
    });
  },
);
