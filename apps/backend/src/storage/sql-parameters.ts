// Which parameters a statement has, read from its SQL text: the seam checks and binds them
// the same way whichever driver runs.

/** The parameters of one statement, read from its SQL. */
export interface SqlParameters {
  /** Named parameters as written (`@seq`), each once. */
  readonly tokens: readonly string[];
  /** The same without their prefix (`seq`), in the same order. */
  readonly names: readonly string[];
  /** How many anonymous `?`. */
  readonly anonymous: number;
  /** Uses `?NNN` (then the positional count is not checked). */
  readonly numbered: boolean;
  /** More than one statement (text after a `;`). */
  readonly multiple: boolean;
}

const ID_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Reads the parameters of `sql`, skipping string literals, quoted identifiers and comments. */
export function sqlParameters(sql: string): SqlParameters {
  const tokens: string[] = [];
  const names: string[] = [];
  let anonymous = 0;
  let numbered = false;
  let multiple = false;
  let ended = false;
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i] as string;
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      const end = sql.indexOf(close, i + 1);
      i = end < 0 ? n : end + 1; // a doubled quote reopens at once: still skipped right
      if (ended) multiple = true;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i + 2);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === ';') {
      ended = true;
      i++;
      continue;
    }
    if (!/\s/.test(c) && ended) multiple = true;
    if (c === '?') {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j] as string)) j++;
      if (j > i + 1) numbered = true;
      else anonymous++;
      i = j;
      continue;
    }
    if (
      (c === '@' || c === ':' || c === '$') &&
      i + 1 < n &&
      ID_CHAR.test(sql[i + 1] as string) &&
      !(i > 0 && ID_CHAR.test(sql[i - 1] as string)) // `a$b` is an identifier
    ) {
      let j = i + 1;
      while (j < n && ID_CHAR.test(sql[j] as string)) j++;
      const token = sql.slice(i, j);
      if (!tokens.includes(token)) {
        tokens.push(token);
        names.push(token.slice(1));
      }
      i = j;
      continue;
    }
    i++;
  }
  return { tokens, names, anonymous, numbered, multiple };
}
