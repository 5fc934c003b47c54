import { InvalidArgumentError, type Command } from 'commander';
import {
  formatReport,
  installElectron,
  runDoctor,
  SETUP_DESKTOP_COMMAND,
  setupGpu,
  verifyElectron,
} from '@ktrdr/doctor';
import { ExitCode } from '../exit-codes.js';
import { canRedraw } from '../terminal.js';
import { numberFlag, withExample, type ActionFactory } from '../command-kit.js';

const SETUP_PARTS = ['desktop', 'gpu'] as const;

/**
 * `ktrdr doctor` and `ktrdr setup desktop|gpu`: what this machine has of the optional
 * parts, and the two installers. They never talk to the backend.
 */
export function registerMachineCommands(program: Command, action: ActionFactory): void {
  withExample(
    program
      .command('doctor')
      .description(
        'Check the optional parts on this machine (Electron binary, NVIDIA driver and CUDA, TensorFlow bindings, WebGPU, IB Gateway, Chromium, Docker) and print the command that fixes each',
      ),
    'ktrdr doctor',
    'ktrdr --json doctor',
  ).action(
    action(async (ctx) => {
      const report = await runDoctor({ env: ctx.terminal.env });
      ctx.output.result(report, () => formatReport(report));
      return ExitCode.ok;
    }),
  );

  withExample(
    program
      .command('setup')
      .description(
        'desktop: download and verify the Electron binary (the desktop window); gpu: install and verify the tfjs-node-gpu binding where an NVIDIA driver is loaded',
      )
      .argument('<part>', 'desktop | gpu', (value: string) => {
        if (!(SETUP_PARTS as readonly string[]).includes(value))
          throw new InvalidArgumentError(`must be one of ${SETUP_PARTS.join(', ')}`);
        return value;
      })
      .option(
        '--timeout <seconds>',
        'give up the Electron download after this long',
        numberFlag('--timeout', (n) => (n > 0 ? undefined : 'must be a number of seconds > 0')),
        120,
      ),
    'ktrdr setup desktop',
    'ktrdr setup gpu',
  ).action(
    action<{ timeout: number }>(async (ctx, [part], opts) => {
      const seconds = opts.timeout;
      if (part === 'gpu') {
        ctx.output.note(
          'ktrdr: setting up tfjs-node-gpu (downloads libtensorflow for CUDA, ~400 MB)…',
        );
        const result = await setupGpu({ onOutput: (line) => ctx.output.note(`  ${line}`) });
        ctx.output.result(result, () => (result.ok ? `GPU ready: ${result.detail}` : ''));
        if (!result.ok) {
          ctx.output.note(
            `ktrdr: ${result.refused ? 'not set up' : 'setup failed'}: ${result.reason}`,
          );
          return result.refused ? ExitCode.usage : ExitCode.failed;
        }
        return ExitCode.ok;
      }
      const redraw = canRedraw(ctx.terminal);
      ctx.output.note(`ktrdr: fetching the Electron binary (up to ${seconds} s)…`);
      const result = await installElectron({
        timeoutMs: seconds * 1000,
        onProgress: (s) => {
          if (redraw) ctx.terminal.stderr.write(`\r  downloading… ${s} s`);
        },
        onOutput: (line) => ctx.output.note(`  ${line}`),
        env: ctx.terminal.env,
      });
      if (redraw) ctx.terminal.stderr.write('\r\x1b[K');
      if (!result.ok) {
        ctx.output.result(result, () => '');
        ctx.output.note(
          `ktrdr: the Electron download failed: ${result.reason}; retry with: ${SETUP_DESKTOP_COMMAND}`,
        );
        return ExitCode.failed;
      }
      const check = await verifyElectron(result.path);
      const answer = { ...result, verified: check };
      ctx.output.result(answer, () =>
        check.ok
          ? `Electron ${check.electron} (Node ${check.node}) ${result.alreadyInstalled ? 'was already' : 'is now'} installed at ${result.path}; npm start opens the desktop window`
          : `Electron is installed at ${result.path} but does not run here: ${check.reason}`,
      );
      return check.ok ? ExitCode.ok : ExitCode.failed;
    }),
  );
}
