// EKS Anywhere › Subscriptions: the list per Region, Create subscription, and a subscription's
// detail with its packageRegistry (the spec's step 1).
import * as api from "../api";
import { addRoute, flash, link, navigate, pageHeader, showError } from "../app";
import { actionButton, clear, details, field, h, table, uid } from "../dom";
import { button, buttonRow, copyButton } from "../widgets";

const kDefaultRegion = "us-west-2";
let regionsCache: { region: string; account: string }[] | null = null;

async function regions(): Promise<{ region: string; account: string }[]> {
  if (!regionsCache) regionsCache = (await api.regions()).regions ?? [];
  return regionsCache ?? [];
}

async function regionSelect(selected: string): Promise<HTMLSelectElement> {
  const select = h("select", {});
  for (const r of await regions()) {
    const o = h("option", { value: r.region }, r.region);
    if (r.region === selected) o.selected = true;
    select.appendChild(o);
  }
  return select;
}

function epoch(v: unknown): string {
  const n = Number(v);
  if (!v || isNaN(n)) return "";
  return new Date(n * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function subscriptionLink(region: string, s: api.Json): HTMLAnchorElement {
  return h("a", { href: `#/subscriptions/view/${encodeURIComponent(region)}/${encodeURIComponent(s.id)}` }, s.name || s.id);
}

async function renderList(main: HTMLElement, region: string): Promise<void> {
  const select = await regionSelect(region);
  select.addEventListener("change", () => navigate("#/subscriptions/region/" + encodeURIComponent(select.value)));
  main.append(
    pageHeader("EKS Anywhere subscriptions", link("#/subscriptions/create?region=" + encodeURIComponent(region), "Create subscription", "button primary")),
    h(
      "p",
      { class: "lead" },
      "An EKS Anywhere Enterprise Subscription grants its account access to EKS Anywhere Curated Packages in the Region where it is created.",
    ),
    h("div", { class: "toolbar" }, field("Region", select)),
  );
  const r = await api.eks("ListEksAnywhereSubscriptions", { region });
  const subs = api.list(r.subscriptions);
  main.append(
    table(
      ["Name", "ID", "Status", "Licenses", "Term", "Expires"],
      subs.map((s) => [
        subscriptionLink(region, s),
        h("code", {}, s.id),
        s.status,
        String(s.licenseQuantity ?? ""),
        s.term ? `${s.term.duration} ${String(s.term.unit).toLowerCase()}` : "",
        epoch(s.expirationDate),
      ]),
      `Subscriptions in ${region}`,
    ),
  );
}

addRoute(/^\/subscriptions$/, { title: "EKS Anywhere subscriptions", render: (main) => renderList(main, kDefaultRegion) });
addRoute(/^\/subscriptions\/region\/([a-z0-9-]+)$/, {
  title: "EKS Anywhere subscriptions",
  render: (main, [region]) => renderList(main, region),
});

addRoute(/^\/subscriptions\/create(?:\?region=([a-z0-9-]+))?$/, {
  title: "Create subscription",
  async render(main, [regionParam]) {
    const region = await regionSelect(regionParam || kDefaultRegion);
    const name = h("input", { type: "text", autocomplete: "off", maxlength: "100" });
    const quantity = h("input", { type: "number", min: "1", max: "100", value: "1" });
    const autoRenew = h("input", { type: "checkbox", id: uid("renew") });
    const termId = uid("term");
    const term12 = h("input", { type: "radio", name: "term", id: termId + "-12", value: "12", checked: true });
    const term36 = h("input", { type: "radio", name: "term", id: termId + "-36", value: "36" });
    const errors = h("div", { class: "errors" });
    main.append(
      pageHeader("Create subscription"),
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Subscription details"),
        field("Name", name, "1 to 100 characters: letters, digits, - and _, starting with a letter or digit."),
        field("Region", region),
        h(
          "fieldset",
          {},
          h("legend", {}, "Term"),
          h("div", { class: "choice" }, term12, h("label", { for: term12.id }, "12 months")),
          h("div", { class: "choice" }, term36, h("label", { for: term36.id }, "36 months")),
        ),
        field("License quantity", quantity, "Licenses of type Cluster, 1 to 100."),
        h("div", { class: "choice" }, autoRenew, h("label", { for: autoRenew.id }, "Auto renew")),
      ),
      errors,
      buttonRow(
        button("Cancel", () => navigate("#/subscriptions/region/" + encodeURIComponent(region.value))),
        actionButton(
          "Create subscription",
          async () => {
            clear(errors);
            try {
              const r = await api.eks("CreateEksAnywhereSubscription", {
                region: region.value,
                name: name.value.trim(),
                term: { duration: term36.checked ? 36 : 12, unit: "MONTHS" },
                licenseQuantity: Number(quantity.value || "1"),
                licenseType: "Cluster",
                autoRenew: autoRenew.checked,
                clientRequestToken: crypto.randomUUID(),
              });
              const s = r.subscription ?? {};
              flash(`Subscription ${s.name ?? ""} created.`);
              navigate(`#/subscriptions/view/${encodeURIComponent(region.value)}/${encodeURIComponent(s.id)}`);
            } catch (e) {
              showError(errors, e);
            }
          },
          { primary: true },
        ),
      ),
    );
  },
});

addRoute(/^\/subscriptions\/view\/([a-z0-9-]+)\/([^/]+)$/, {
  title: "Subscription",
  async render(main, [region, id]) {
    const s = (await api.eks("DescribeEksAnywhereSubscription", { region, id })).subscription ?? {};
    const registry: string = s.packageRegistry ?? "";
    const packagesAccount = registry.split(".")[0] ?? "";
    main.append(
      pageHeader(s.name || id),
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Subscription"),
        details([
          ["ID", h("code", {}, s.id ?? id)],
          ["ARN", h("code", {}, s.arn ?? "")],
          ["Status", s.status ?? ""],
          ["Region", region],
          ["Licenses", `${s.licenseQuantity ?? ""} × ${s.licenseType ?? ""}`],
          ["Term", s.term ? `${s.term.duration} ${String(s.term.unit).toLowerCase()}` : ""],
          ["Effective", epoch(s.effectiveDate)],
          ["Expires", epoch(s.expirationDate)],
          ["Auto renew", s.autoRenew ? "Yes" : "No"],
        ]),
      ),
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Curated packages registry"),
        details([
          ["packageRegistry", h("span", {}, h("code", { id: "package-registry" }, registry), " ", copyButton("Copy packageRegistry", () => registry))],
          ["Packages account", h("span", {}, h("code", { id: "packages-account" }, packagesAccount), " ", copyButton("Copy packages account", () => packagesAccount))],
        ]),
        h("p", { class: "hint" }, "Use the packages account as <packages-account-id> in the ECR read policy (spec step 2)."),
      ),
    );
  },
});
