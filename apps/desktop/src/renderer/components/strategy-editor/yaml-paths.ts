import { yamlLanguage } from '@codemirror/lang-yaml';

// Where in the YAML text a dotted path the API names (`indicators.fast.period`) lies: read
// from the Lezer YAML tree that the editor's own highlighting uses (no second parser),
// walking mapping keys and sequence indexes as the strategy schema's paths do.

type Node = ReturnType<typeof yamlLanguage.parser.parse>['topNode'];

/** A span of the text, and the 1-based line it starts on. */
export interface TextSpan {
  from: number;
  to: number;
  line: number;
  /** False when the path's tail is not in the text (a missing field): the span is its parent's. */
  exact: boolean;
}

const children = (node: Node): Node[] => {
  const out: Node[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
};

/** The value a node stands for, through `&anchor` and `!tag` wrappers and a document. */
function content(node: Node | undefined): Node | undefined {
  let current = node;
  while (current && ['Stream', 'Document', 'Item', 'Anchored', 'Tagged'].includes(current.name)) {
    const inner: Node[] = children(current).filter(
      (c) => !['-', 'Anchor', 'Tag', 'DirectiveEnd', 'DocEnd', 'Comment'].includes(c.name),
    );
    current = inner[inner.length - 1];
  }
  return current;
}

/** A key's text without its quotes (`"slow"` and `'slow'` are `slow`). */
function keyText(text: string, key: Node): string {
  const raw = text.slice(key.from, key.to).trim();
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  }
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  return raw;
}

/** The entry of a mapping or sequence that `segment` names: its span node and its value. */
function step(text: string, node: Node, segment: string): { at: Node; value?: Node } | undefined {
  if (node.name === 'BlockMapping' || node.name === 'FlowMapping') {
    for (const pair of children(node).filter((c) => c.name === 'Pair')) {
      const parts = children(pair);
      const key = parts.find((c) => c.name === 'Key');
      if (!key || keyText(text, key) !== segment) continue;
      const colon = parts.findIndex((c) => c.name === ':');
      return { at: key, value: content(colon >= 0 ? parts[colon + 1] : undefined) };
    }
    return undefined;
  }
  if ((node.name === 'BlockSequence' || node.name === 'FlowSequence') && /^\d+$/.test(segment)) {
    const item = children(node).filter((c) => c.name === 'Item')[Number(segment)];
    return item ? { at: content(item) ?? item, value: content(item) } : undefined;
  }
  return undefined;
}

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

/**
 * The span of `path` in `text`: its key (or sequence item), or, when the path goes on past
 * what the text holds (a required field left out), the deepest part that is there. The
 * empty path, a path that names nothing at all, or text the reader cannot parse give the
 * first line.
 */
export function pathSpan(text: string, path: string): TextSpan {
  let node = content(yamlLanguage.parser.parse(text).topNode);
  let found: TextSpan | null = null;
  const segments = path === '' ? [] : path.split('.');
  for (const [i, segment] of segments.entries()) {
    const next = node ? step(text, node, segment) : undefined;
    if (!next) break;
    found = {
      from: next.at.from,
      to: next.at.to,
      line: lineOf(text, next.at.from),
      exact: i === segments.length - 1,
    };
    node = next.value;
  }
  if (found) return found;
  const end = text.indexOf('\n');
  return { from: 0, to: end < 0 ? text.length : end, line: 1, exact: segments.length === 0 };
}

/**
 * Where an API issue about a strategy belongs: a YAML syntax error names its line in its
 * message (`yaml` path, "line 7: …"); any other issue names a path.
 */
export function issueSpan(text: string, issue: { path: string; message: string }): TextSpan {
  const syntax = issue.path === 'yaml' ? /^line (\d+):/.exec(issue.message) : null;
  if (syntax) {
    const lines = text.split('\n');
    const line = Math.min(Math.max(Number(syntax[1]), 1), lines.length);
    const from = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    return { from, to: from + (lines[line - 1]?.length ?? 0), line, exact: true };
  }
  return pathSpan(text, issue.path === 'yaml' ? '' : issue.path);
}
