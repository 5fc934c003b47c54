import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorView, basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import { issueSpan } from './yaml-paths';

/** A problem the API found, by the path it names. */
export interface YamlIssue {
  path: string;
  message: string;
}

/** The issues as editor diagnostics, each at the span its path names in `text`. */
export function issueDiagnostics(text: string, issues: readonly YamlIssue[]): Diagnostic[] {
  return issues.map((issue) => {
    const span = issueSpan(text, issue);
    return {
      from: span.from,
      to: span.to,
      severity: 'error',
      source: 'API',
      message: `${issue.path || '(document)'}: ${issue.message}`,
    };
  });
}

/**
 * A CodeMirror 6 YAML editor (highlighting, line numbers, history, search) that shows the
 * API's issues as lint diagnostics at their lines. It is uncontrolled for typing (the view
 * owns the document) and takes `value` again only when it changes from outside (a load).
 * `onChange` fires on every edit, so that the owner can drop issues that no longer apply.
 */
export function YamlEditor({
  value,
  onChange,
  issues,
  label,
  testId,
}: {
  value: string;
  onChange: (text: string) => void;
  issues: readonly YamlIssue[];
  label: string;
  testId: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const editor = new EditorView({
      doc: value,
      parent: host.current!,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        EditorView.contentAttributes.of({ 'aria-label': label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChangeRef.current(update.state.doc.toString());
        }),
        EditorView.theme({
          '&': { fontSize: '13px', border: '1px solid var(--mantine-color-default-border)' },
          '.cm-scroller': { fontFamily: 'monospace', minHeight: '320px' },
        }),
      ],
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // the view is made once; `value` and `issues` reach it through the effects below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === value) return;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    editor.dispatch(
      setDiagnostics(editor.state, issueDiagnostics(editor.state.doc.toString(), issues)),
    );
  }, [issues]);

  // the lines the marks are on, for a reader of the page (and its tests)
  const lines = issues.map((i) => issueSpan(view.current?.state.doc.toString() ?? value, i).line);
  return (
    <div
      ref={host}
      data-testid={testId}
      data-error-lines={[...new Set(lines)].sort((a, b) => a - b).join(' ')}
    />
  );
}
