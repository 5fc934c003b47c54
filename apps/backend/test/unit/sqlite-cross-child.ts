// The other side of sqlite-cross-driver.test.ts, run in a child process on another Node:
//   node --conditions=ktrdr-source --import tsx sqlite-cross-child.ts write <data dir>
//   node --conditions=ktrdr-source --import tsx sqlite-cross-child.ts read <data dir> <credential>
// Prints one JSON line: what writeDataset / readDataset returned, plus this Node's version.
import { readDataset, writeDataset } from './sqlite-fixtures.js';

const [mode, dir, credential] = process.argv.slice(2);
if (!dir || (mode !== 'write' && mode !== 'read') || (mode === 'read' && !credential)) {
  console.error('usage: sqlite-cross-child.ts write <dir> | read <dir> <credential>');
  process.exit(2);
}
const result = mode === 'write' ? writeDataset(dir) : readDataset(dir, credential as string);
console.log(JSON.stringify({ node: process.version, ...result }));
