#!/usr/bin/env node
/**
 * `npm run chaos`: the long chaos run (CI runs a 24-second one in
 * apps/backend/test/integration/chaos.test.ts). Options: --seconds N (300), --workers N (4),
 * --backend-kills N (10), --worker-kills N (30), --seed N (1). Writes docs/CHAOS.md.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runChaos, tempDir } from '@ktrdr/testkit';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
}

const options = {
  seconds: option('seconds', 300),
  workers: option('workers', 4),
  backendKills: option('backend-kills', 10),
  workerKills: option('worker-kills', 30),
  seed: option('seed', 1),
};
const command = `npm run chaos${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const dir = tempDir();
console.log(`chaos: ${JSON.stringify(options)}`);
const report = await runChaos({
  ...options,
  dir: dir.path,
  token: 'chaos-token-0123456789abcdef',
  log: (line) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`),
});
dir.remove();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};
const problems =
  report.lost.length +
  report.duplicated.length +
  report.stuck.length +
  report.notCompleted.length +
  report.wrongResults.length;
const markdown = `# Chaos run

Measured with \`${command}\` on ${new Date().toISOString().slice(0, 10)}: real \`ktrdr-backend\` and
\`ktrdr-worker\` processes on loopback running a stream of checkpointed backtests (a checkpoint
every 0.3 s) while the backend and busy workers are SIGKILLed at seeded random moments.

| measure | value |
|---|---|
| duration | ${(report.durationMs / 1000).toFixed(0)} s, ${options.workers} workers |
| operations acknowledged / stored | ${report.acknowledged} / ${report.stored} |
| statuses at the end | ${Object.entries(report.byStatus)
  .map(([k, v]) => `${k} ${v}`)
  .join(', ')} |
| backend SIGKILLs | ${report.backendKills} |
| busy-worker SIGKILLs | ${report.workerKills} |
| operations that needed another attempt | ${report.movedOperations} |
| lost / duplicated / stuck / not completed / wrong result | ${report.lost.length} / ${report.duplicated.length} / ${report.stuck.length} / ${report.notCompleted.length} / ${report.wrongResults.length} |
| workers registered again after a backend restart (median, max) | ${median(report.reRegisterMs)} ms, ${Math.max(...report.reRegisterMs, 0)} ms |
| busy worker killed → its operation running elsewhere (median, max) | ${median(report.resumeMs)} ms, ${Math.max(...report.resumeMs, 0)} ms |
${report.wrongDetails.length > 0 ? `\nWrong results:\n${report.wrongDetails.map((d) => `- ${d}`).join('\n')}\n` : ''}${report.notCompleted.length > 0 ? `\nNot completed:\n${report.notCompleted.map((n) => `- ${n.id}: ${n.status} (${n.error ?? ''})`).join('\n')}\n` : ''}`;
writeFileSync(fileURLToPath(new URL('../../docs/CHAOS.md', import.meta.url)), markdown);
console.log(markdown);
process.exit(problems === 0 ? 0 : 1);
