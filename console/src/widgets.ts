// Pieces shared by the pages: wizard step lists, the policy picker, copy buttons, statement tables.
import * as api from "./api";
import { type Child, h, table, uid } from "./dom";

// The wizard's steps, the current one marked for assistive technology.
export function steps(names: string[], current: number): HTMLElement {
  return h(
    "ol",
    { class: "steps", "aria-label": "Steps" },
    ...names.map((n, i) =>
      h(
        "li",
        { class: i === current ? "current" : i < current ? "done" : "", "aria-current": i === current ? "step" : undefined },
        h("span", { class: "step-no" }, `Step ${i + 1}`),
        h("span", { class: "step-name" }, n),
      ),
    ),
  );
}

export function buttonRow(...buttons: Child[]): HTMLElement {
  return h("div", { class: "button-row" }, ...buttons);
}

export function button(label: string, onClick: () => void, opts: { primary?: boolean; id?: string } = {}): HTMLButtonElement {
  const b = h("button", { type: "button", class: opts.primary ? "primary" : "", id: opts.id }, label);
  b.addEventListener("click", onClick);
  return b;
}

// "Copy" next to a value; announces the result in a live region.
export function copyButton(label: string, value: () => string): HTMLElement {
  const said = h("span", { class: "copy-status", role: "status", "aria-live": "polite" });
  const b = h("button", { type: "button", class: "copy" }, label);
  b.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value());
      said.textContent = "Copied";
    } catch {
      said.textContent = "Copy failed: select the text and copy it by hand";
    }
  });
  return h("span", { class: "copy-wrap" }, b, said);
}

export function policyType(arn: string): string {
  return arn.startsWith("arn:aws:iam::aws:") ? "AWS managed" : "Customer managed";
}

export function policyLink(arn: string, name: string): HTMLAnchorElement {
  return h("a", { href: "#/policies/view/" + encodeURIComponent(arn) }, name);
}

export interface PolicyPicker {
  element: HTMLElement;
  selected(): { arn: string; name: string }[];
}

// A searchable table of managed policies with a labelled checkbox per row ("search and select").
export function policyPicker(policies: api.Json[], preselected: Set<string>, heading: string): PolicyPicker {
  const chosen = new Set(preselected);
  const count = h("span", { class: "count" });
  const search = h("input", { type: "search", placeholder: "Filter by policy name", autocomplete: "off" });
  const searchId = uid("search");
  search.id = searchId;
  const tbody = h("tbody", {});
  const updateCount = () => {
    count.textContent = ` (${chosen.size}/${policies.length} selected)`;
  };
  const rows = policies.map((p) => {
    const name: string = p.PolicyName;
    const arn: string = p.Arn;
    const box = h("input", { type: "checkbox", "aria-label": "Select " + name, value: arn });
    box.checked = chosen.has(arn);
    box.addEventListener("change", () => {
      if (box.checked) chosen.add(arn);
      else chosen.delete(arn);
      updateCount();
    });
    const tr = h(
      "tr",
      {},
      h("td", { class: "select" }, box),
      h("td", {}, policyLink(arn, name)),
      h("td", {}, policyType(arn)),
      h("td", {}, String(p.AttachmentCount ?? "0")),
    );
    tbody.appendChild(tr);
    return { tr, name };
  });
  const empty = h("tr", { hidden: true }, h("td", { colspan: 4, class: "empty" }, "No policy matches."));
  tbody.appendChild(empty);
  if (policies.length === 0) {
    empty.hidden = false;
    empty.firstElementChild!.textContent = "This account has no managed policies yet.";
  }
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const r of rows) {
      r.tr.hidden = q !== "" && !r.name.toLowerCase().includes(q);
      if (!r.tr.hidden) shown++;
    }
    empty.hidden = policies.length === 0 ? false : shown > 0;
  });
  updateCount();
  const element = h(
    "section",
    { class: "panel" },
    h("h2", {}, heading, count),
    h("div", { class: "field" }, h("label", { for: searchId }, "Search"), search),
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, heading),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Select")),
          h("th", { scope: "col" }, "Policy name"),
          h("th", { scope: "col" }, "Type"),
          h("th", { scope: "col" }, "Attached entities"),
        ),
      ),
      tbody,
    ),
  );
  return { element, selected: () => policies.filter((p) => chosen.has(p.Arn)).map((p) => ({ arn: p.Arn, name: p.PolicyName })) };
}

function asList(v: unknown): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map((x) => String(x)) : [typeof v === "string" ? v : JSON.stringify(v)];
}

// The statements of a policy document as a read-only table (the editor's "Visual" view).
export function statementsTable(document: string, caption: string): HTMLElement {
  let doc: api.Json;
  try {
    doc = JSON.parse(document);
  } catch {
    return h("p", { class: "hint" }, "The document is not valid JSON yet: select JSON to edit it.");
  }
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  const rows = statements.map((s: api.Json, i: number) => [
    s?.Sid ?? `#${i + 1}`,
    String(s?.Effect ?? ""),
    h("ul", { class: "plain" }, ...asList(s?.Action ?? s?.NotAction).map((a) => h("li", {}, h("code", {}, a)))),
    h("ul", { class: "plain" }, ...asList(s?.Resource ?? s?.NotResource).map((a) => h("li", {}, h("code", {}, a)))),
    s?.Principal !== undefined ? h("code", {}, JSON.stringify(s.Principal)) : "",
  ]);
  return table(["Statement", "Effect", "Actions", "Resources", "Principal"], rows, caption);
}

// URL-decoded policy text from IAM (documents travel URL-encoded in IAM's responses).
export function decodePolicy(encoded: string): string {
  let text = encoded;
  try {
    text = decodeURIComponent(encoded.replace(/\+/g, "%20"));
  } catch {
    // Already plain.
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
