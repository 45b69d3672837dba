// The JSON policy editor (CodeMirror 6), validated as you type by cpa serve with the same
// checks, codes and messages as `cpa policy check`. Tab leaves the editor (no Tab indentation),
// so the page stays usable with the keyboard alone.
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic, linter, lintKeymap } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

import { type Validation, validatePolicy } from "./api";
import { h, uid } from "./dom";

export interface PolicyEditor {
  element: HTMLElement;
  view: EditorView;
  text(): string;
  setText(text: string): void;
  // Validates the current text now (what Next and Create rely on).
  validate(): Promise<Validation>;
}

export function describeValidation(v: Validation): string {
  if (!v.valid) return `${v.error?.code ?? "Invalid"}: ${v.error?.message ?? ""}`;
  const quota = v.quota ? ` of ${v.quota} allowed` : "";
  return `Valid ${v.kind} policy: ${v.statements} statement(s), ${v.size} characters${quota}.`;
}

export function policyEditor(opts: {
  label: string;
  kind: "identity" | "trust";
  limit: string;
  initial: string;
}): PolicyEditor {
  const labelId = uid("editor-label");
  const statusId = uid("editor-status");
  const status = h("div", { id: statusId, class: "validation", role: "status", "aria-live": "polite" });
  let latest = 0;

  const show = (v: Validation) => {
    status.textContent = describeValidation(v);
    status.className = "validation " + (v.valid ? "valid" : "invalid");
    status.setAttribute("data-valid", v.valid ? "true" : "false");
  };

  const check = async (text: string): Promise<Validation> => {
    const n = ++latest;
    const v = await validatePolicy(text, opts.kind, opts.limit);
    if (n === latest) show(v);
    return v;
  };

  const serverLint = linter(
    async (view): Promise<Diagnostic[]> => {
      const text = view.state.doc.toString();
      let v: Validation;
      try {
        v = await check(text);
      } catch (e) {
        status.textContent = "Could not validate: " + String((e as Error).message);
        return [];
      }
      if (v.valid) return [];
      const first = view.state.doc.line(1);
      return [
        {
          from: 0,
          to: Math.max(first.to, Math.min(1, view.state.doc.length)),
          severity: "error",
          message: describeValidation(v),
        },
      ];
    },
    { delay: 250 },
  );

  const view = new EditorView({
    state: EditorState.create({
      doc: opts.initial,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        indentOnInput(),
        syntaxHighlighting(defaultHighlightStyle),
        json(),
        serverLint,
        keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({
          "aria-labelledby": labelId,
          "aria-describedby": statusId,
          "aria-multiline": "true",
          "data-testid": "policy-editor",
        }),
      ],
    }),
  });

  const element = h(
    "div",
    { class: "editor-field" },
    h("div", { class: "label", id: labelId }, opts.label),
    h("div", { class: "editor" }, view.dom),
    status,
  );
  void check(opts.initial).catch(() => {});

  return {
    element,
    view,
    text: () => view.state.doc.toString(),
    setText: (text: string) => {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    validate: () => check(view.state.doc.toString()),
  };
}
