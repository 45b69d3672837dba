// Access chain (beyond the IAM console): for a role, who may assume it and which curated packages
// registries it may pull from, drawn as a diagram with each edge explained by the deciding
// statement; and `cpa doctor`'s link-by-link check of a config file, run against this server.
import * as api from "../api";
import { addRoute, pageHeader, session, showError } from "../app";
import { actionButton, append, clear, field, h } from "../dom";

interface ChainNode {
  id: string;
  kind: string;
  label: string;
  detail?: string;
}
interface Explanation {
  policyType: string;
  policy?: string;
  statement?: string;
  effect?: string;
  message: string;
}
interface ChainEdge {
  from: string;
  to: string;
  action: string;
  status: string;
  explanation: Explanation[];
}
interface Chain {
  role: { name: string; arn: string; account: string };
  signedInAs: string;
  nodes: ChainNode[];
  edges: ChainEdge[];
  notes: string[];
  trustPolicy?: string;
}

const kStatusText: Record<string, string> = {
  allowed: "allowed",
  conditional: "allowed under conditions",
  denied: "denied",
  unknown: "depends on what is not visible",
};

const SVG = "http://www.w3.org/2000/svg";
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

// Three columns: who may assume the role, the role, what it may pull.
function diagram(chain: Chain): HTMLElement {
  const role = chain.role.arn;
  const left = chain.nodes.filter((n) => n.id !== role && n.kind !== "registry");
  const right = chain.nodes.filter((n) => n.kind === "registry");
  const boxW = 260;
  const boxH = 46;
  const gap = 22;
  const colX = [10, 380, 750];
  const rows = Math.max(left.length, right.length, 1);
  const height = rows * (boxH + gap) + 40;
  const width = colX[2] + boxW + 10;
  const pos = new Map<string, { x: number; y: number }>();
  const place = (nodes: ChainNode[], x: number) => {
    const top = (height - nodes.length * (boxH + gap) + gap) / 2;
    nodes.forEach((n, i) => pos.set(n.id, { x, y: top + i * (boxH + gap) }));
  };
  place(left, colX[0]);
  place(right, colX[2]);
  pos.set(role, { x: colX[1], y: (height - boxH) / 2 });

  const titleId = "chain-title";
  const descId = "chain-desc";
  const root = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-labelledby": `${titleId} ${descId}` },
    svg("title", { id: titleId }, `Access chain of ${chain.role.name}`),
    svg("desc", { id: descId }, `${chain.edges.length} edges; each is listed and explained below the diagram.`),
  );
  const defs = svg("defs", {});
  for (const [name, color] of [
    ["allowed", "#037f0c"],
    ["conditional", "#037f0c"],
    ["denied", "#d91515"],
    ["unknown", "#8a9099"],
  ]) {
    defs.append(
      svg("marker", { id: `arrow-${name}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: color })),
    );
  }
  root.append(defs);
  chain.edges.forEach((e, i) => {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) return;
    const x1 = a.x + boxW;
    const y1 = a.y + boxH / 2;
    const x2 = b.x;
    const y2 = b.y + boxH / 2;
    const mx = (x1 + x2) / 2;
    const status = kStatusText[e.status] ? e.status : "unknown";
    root.append(
      svg(
        "g",
        { class: `edge ${status === "conditional" ? "allowed" : status}`, "data-edge": i + 1 },
        svg("path", { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2 - 2} ${y2}`, "marker-end": `url(#arrow-${status})` }),
        svg("circle", { cx: mx, cy: (y1 + y2) / 2, r: 10, fill: "#fff", stroke: "#8a9099" }),
        svg("text", { x: mx, y: (y1 + y2) / 2 + 4, "text-anchor": "middle" }, String(i + 1)),
      ),
    );
  });
  for (const n of chain.nodes) {
    const p = pos.get(n.id);
    if (!p) continue;
    root.append(
      svg(
        "g",
        { class: `node ${n.detail === "trust policy not visible" ? "unknown" : ""}`, transform: `translate(${p.x},${p.y})` },
        svg("rect", { width: boxW, height: boxH, rx: 8 }),
        svg("text", { x: 12, y: 19, class: "label" }, truncate(n.label, 38)),
        svg("text", { x: 12, y: 36, class: "kind" }, truncate(n.detail ? `${n.kind} · ${n.detail}` : n.kind, 44)),
      ),
    );
  }
  return h("div", { class: "chain-diagram" }, root);
}

function edgeList(chain: Chain): HTMLElement {
  const label = new Map(chain.nodes.map((n) => [n.id, n.label]));
  return h(
    "ol",
    { class: "edge-list", id: "chain-edges" },
    ...chain.edges.map((e) =>
      h(
        "li",
        { "data-status": e.status },
        h("strong", {}, `${label.get(e.from) ?? e.from} → ${label.get(e.to) ?? e.to}`),
        ` (${e.action}) `,
        h("span", { class: `badge ${e.status === "conditional" ? "allowed" : e.status}` }, kStatusText[e.status] ?? e.status),
        h(
          "ul",
          {},
          ...e.explanation.map((x) =>
            h(
              "li",
              {},
              x.policy || x.statement ? h("span", { class: "hint" }, [x.policy, x.statement ? `statement ${x.statement}` : ""].filter(Boolean).join(", ") + ": ") : null,
              x.message,
            ),
          ),
        ),
      ),
    ),
  );
}

function renderChain(where: HTMLElement, chain: Chain): void {
  clear(where);
  where.hidden = false;
  append(where, [
    h("h2", {}, `Access chain of ${chain.role.name}`),
    h("p", { class: "hint" }, `As seen by ${chain.signedInAs}: only what this principal may read through the API is shown.`),
    chain.edges.length ? diagram(chain) : h("p", {}, "No principal may assume this role, and it pulls from no packages registry."),
    h("h3", {}, "Edges"),
    edgeList(chain),
    chain.notes.length ? h("h3", {}, "Notes") : null,
    chain.notes.length ? h("ul", { id: "chain-notes" }, ...chain.notes.map((n) => h("li", {}, n))) : null,
  ]);
}

interface Link {
  link: string;
  status: string;
  detail?: string;
  cause?: string;
  fix?: string;
}

function renderCheck(where: HTMLElement, result: { ok: boolean; links: Link[] }): void {
  clear(where);
  where.append(
    h("h3", {}, result.ok ? "All links hold." : "The chain is broken."),
    h(
      "ol",
      { class: "edge-list", id: "check-links" },
      ...result.links.map((l) =>
        h(
          "li",
          { "data-link": l.link, "data-status": l.status },
          h("strong", {}, l.link),
          " ",
          h("span", { class: `badge ${l.status}` }, l.status),
          " ",
          l.status === "fail" ? h("span", {}, l.cause ?? "", h("br", {}), h("em", {}, "Fix: "), l.fix ?? "") : (l.detail ?? ""),
        ),
      ),
    ),
  );
}

addRoute(/^\/chain(?:\/([^/]+))?$/, {
  title: "Access chain",
  async render(main, [initial]) {
    const result = h("section", { class: "panel", "aria-live": "polite", hidden: true });
    const errors = h("div", { class: "errors" });
    const roleInput = h("input", { type: "text", autocomplete: "off", list: "role-names", value: initial || "" });
    const names = h("datalist", { id: "role-names" });
    const show = async () => {
      clear(errors);
      const v = roleInput.value.trim();
      if (!v) {
        errors.append(h("div", { class: "alert alert-error", role: "alert" }, "Enter a role name or ARN."));
        return;
      }
      try {
        const chain: Chain = await api.roleChain(v.startsWith("arn:") ? "" : v, v.startsWith("arn:") ? v : "");
        renderChain(result, chain);
        if (!v.startsWith("arn:") && location.hash !== "#/chain/" + encodeURIComponent(v)) {
          history.replaceState(null, "", "#/chain/" + encodeURIComponent(v));
        }
      } catch (e) {
        clear(result);
        result.hidden = true;
        showError(errors, e);
      }
    };
    const config = h("textarea", { rows: "9", spellcheck: "false", placeholder: "[default]\nsource_profile=curated-packages-user\nrole_arn=arn:aws:iam::111111111111:role/curated-packages-role\nregion=us-west-2\n\n[profile curated-packages-user]\naws_access_key_id=...\naws_secret_access_key=..." });
    const checkResult = h("div", { "aria-live": "polite" });
    const checkErrors = h("div", { class: "errors" });
    main.append(
      pageHeader("Access chain"),
      h(
        "p",
        { class: "lead" },
        "Who may assume a role (its trust policy, and the users and roles whose policies allow it) and which curated packages registries it may pull from, each edge explained by the statement that decides it.",
      ),
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Role"),
        field("Role name or ARN", roleInput, `A role of account ${session().account ?? ""}, or the ARN of a role in another account (only this account's side is visible then).`),
        names,
        h("div", { class: "button-row" }, actionButton("Show access chain", show, { primary: true })),
      ),
      errors,
      result,
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Check a config file"),
        h("p", { class: "hint" }, "The same links as cpa doctor (file, region, key, assume-role, ecr-token, registry), run against this server with the keys in the file. The file is sent to cpa serve only for the check and is not kept."),
        field("AWS config file", config),
        checkErrors,
        h(
          "div",
          { class: "button-row" },
          actionButton("Run check", async () => {
            clear(checkErrors);
            try {
              renderCheck(checkResult, await api.checkConfig(config.value));
            } catch (e) {
              showError(checkErrors, e);
            }
          }),
        ),
        checkResult,
      ),
    );
    roleInput.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        void show();
      }
    });
    api
      .iamAll("ListRoles", "Roles")
      .then((roles) => names.append(...roles.map((r) => h("option", { value: r.RoleName }))))
      .catch(() => {});
    if (initial) await show();
  },
});
