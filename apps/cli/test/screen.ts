/**
 * A minimal terminal screen: enough to replay what `ktrdr` writes to a TTY and see what a
 * person would be left looking at. It understands carriage return, newline, "erase line"
 * (`ESC [ 2 K`), "cursor to column" (`ESC [ n G`, readline's) and "erase to end"
 * (`ESC [ 0 K` / `ESC [ K`); any other escape sequence is reported, so a stray one fails
 * the test that uses it.
 */
export function replayTerminal(
  output: string,
  columns: number,
): { lines: string[]; unknown: string[]; overflow: number } {
  const lines: string[][] = [[]];
  const unknown: string[] = [];
  let row = 0;
  let col = 0;
  let overflow = 0;
  const chars = [...output];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const line = lines[row] as string[];
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      lines[row] ??= [];
    } else if (ch === '\u001b') {
      let j = i + 1;
      let seq = '';
      if (chars[j] === '[') {
        j++;
        while (j < chars.length && /[0-9;?]/.test(chars[j] as string)) seq += chars[j++];
        const command = chars[j];
        if (command === 'K' && seq === '2') line.length = 0;
        else if (command === 'K' && (seq === '' || seq === '0')) line.length = col;
        else if (command === 'G') col = Math.max(0, Number(seq || '1') - 1);
        else unknown.push(`ESC[${seq}${command ?? ''}`);
        i = j;
      } else {
        unknown.push(`ESC${chars[j] ?? ''}`);
        i = j;
      }
    } else if (ch >= ' ') {
      if (col >= columns) overflow++;
      while (line.length < col) line.push(' ');
      line[col++] = ch;
    }
  }
  return { lines: lines.map((l) => l.join('').trimEnd()), unknown, overflow };
}
