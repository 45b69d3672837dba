// A few DOM helpers: the console builds its pages from plain elements, no framework.

export type Child = Node | string | null | undefined | false | Child[];
type Attrs = Record<string, string | boolean | number | EventListener | undefined | null>;

// h("button", {type: "button", onclick: fn}, "Create policy")
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(name.replace(/^on/, ""), value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

let idCounter = 0;
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// A labelled text input: <div class="field"><label for=id>label</label><input id=id>hint</div>.
export function field(
  label: string,
  input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
  hint?: string,
): HTMLDivElement {
  if (!input.id) input.id = uid("f");
  const parts: Child[] = [h("label", { for: input.id }, label), input];
  if (hint) {
    const hintId = uid("hint");
    input.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { class: "hint", id: hintId }, hint));
  }
  return h("div", { class: "field" }, ...parts);
}

// An alert box for an error (role=alert: screen readers announce it).
export function errorBox(code: string, message: string): HTMLDivElement {
  return h(
    "div",
    { class: "alert alert-error", role: "alert" },
    h("strong", {}, code),
    message ? ": " + message : "",
  );
}

export function successBox(text: string): HTMLDivElement {
  return h("div", { class: "alert alert-success", role: "status" }, text);
}

// A button that runs an async action, disabled while it runs.
export function actionButton(
  label: string,
  action: () => Promise<void>,
  opts: { primary?: boolean; id?: string } = {},
): HTMLButtonElement {
  const b = h("button", { type: "button", class: opts.primary ? "primary" : "", id: opts.id }, label);
  b.addEventListener("click", async () => {
    if (b.disabled) return;
    b.disabled = true;
    b.setAttribute("aria-busy", "true");
    try {
      await action();
    } finally {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    }
  });
  return b;
}

export function table(headers: string[], rows: Child[][], caption: string): HTMLTableElement {
  return h(
    "table",
    {},
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      rows.length === 0
        ? h("tr", {}, h("td", { colspan: headers.length, class: "empty" }, "None."))
        : rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c)))),
    ),
  );
}

// A description list of label → value pairs.
export function details(pairs: [string, Child][]): HTMLDListElement {
  return h("dl", { class: "details" }, ...pairs.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}
