// IAM › Roles: the list, Create role (Select trusted entity with a custom trust policy, Add
// permissions, Name, review, and create) and a role's detail (trust policy, attached policies).
import * as api from "../api";
import { addRoute, flash, link, navigate, pageHeader, session, showError } from "../app";
import { actionButton, clear, details, field, h, table, uid } from "../dom";
import { describeValidation, policyEditor } from "../editor";
import { button, buttonRow, decodePolicy, formatDate, policyLink, policyPicker, policyType, steps } from "../widgets";

// The template the IAM console shows for a custom trust policy.
const kTrustTemplate = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Statement1",
      "Effect": "Allow",
      "Principal": {},
      "Action": "sts:AssumeRole"
    }
  ]
}`;

const kRoleName = /^[\w+=,.@-]{1,64}$/;

function accountTrustPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole" }],
    },
    null,
    2,
  );
}

function roleLink(name: string): HTMLAnchorElement {
  return h("a", { href: "#/roles/view/" + encodeURIComponent(name) }, name);
}

addRoute(/^\/roles$/, {
  title: "Roles",
  async render(main) {
    main.append(
      pageHeader("Roles", link("#/roles/create", "Create role", "button primary")),
      h("p", { class: "lead" }, "An IAM role is an identity with permissions that trusted entities assume for short-term credentials."),
    );
    const roles = await api.iamAll("ListRoles", "Roles");
    main.append(
      table(
        ["Role name", "Trusted entities", "Created"],
        roles.map((r) => [roleLink(r.RoleName), trustedSummary(decodePolicy(r.AssumeRolePolicyDocument ?? "")), formatDate(r.CreateDate)]),
        "Roles",
      ),
    );
  },
});

function trustedSummary(doc: string): string {
  try {
    const d = JSON.parse(doc);
    const statements = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
    const out: string[] = [];
    for (const s of statements) {
      const p = s?.Principal;
      if (p === "*") out.push("*");
      else if (p && typeof p === "object") {
        for (const [k, v] of Object.entries(p)) {
          for (const x of Array.isArray(v) ? v : [v]) out.push(k === "AWS" ? String(x) : `${k}: ${String(x)}`);
        }
      }
    }
    return out.join(", ");
  } catch {
    return "";
  }
}

addRoute(/^\/roles\/create$/, {
  title: "Create role",
  async render(main) {
    const names = ["Select trusted entity", "Add permissions", "Name, review, and create"];
    const editor = policyEditor({ label: "Custom trust policy", kind: "trust", limit: "trust", initial: kTrustTemplate });
    let entityType: "account" | "custom" = "account";
    const accountChoice = { mode: "this" as "this" | "another" };
    const otherAccount = h("input", { type: "text", inputmode: "numeric", maxlength: "12", autocomplete: "off" });
    const roleName = h("input", { type: "text", autocomplete: "off", maxlength: "64" });
    const description = h("textarea", { rows: "2", maxlength: "1000" });
    let picker: ReturnType<typeof policyPicker> | null = null;
    let policies: api.Json[] | null = null;
    let trustDocument = "";

    const radio = (group: string, value: string, label: string, checked: boolean, hint: string, onPick: () => void) => {
      const id = uid("r");
      const input = h("input", { type: "radio", name: group, id, value, checked });
      input.addEventListener("change", onPick);
      return h("div", { class: "choice" }, input, h("label", { for: id }, h("strong", {}, label), h("span", { class: "hint" }, hint)));
    };

    const step1 = () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      const body = h("div", {});
      const showBody = () => {
        clear(body);
        if (entityType === "custom") {
          body.append(
            h("p", { class: "hint" }, "Create a trust policy to allow others to perform actions in this account."),
            editor.element,
          );
        } else {
          const other = h("div", { class: "nested" }, field("Account ID", otherAccount, "The 12-digit ID of the account whose principals may assume this role."));
          other.hidden = accountChoice.mode !== "another";
          body.append(
            h(
              "fieldset",
              {},
              h("legend", {}, "An AWS account"),
              radio("account", "this", "This account", accountChoice.mode === "this", ` (${session().account ?? ""})`, () => {
                accountChoice.mode = "this";
                other.hidden = true;
              }),
              radio("account", "another", "Another AWS account", accountChoice.mode === "another", "", () => {
                accountChoice.mode = "another";
                other.hidden = false;
                otherAccount.focus();
              }),
              other,
            ),
          );
        }
      };
      main.append(
        pageHeader("Select trusted entity"),
        steps(names, 0),
        h(
          "section",
          { class: "panel" },
          h(
            "fieldset",
            {},
            h("legend", {}, h("h2", {}, "Trusted entity type")),
            radio("entity", "account", "AWS account", entityType === "account", "Allow entities in other AWS accounts belonging to you or a 3rd party to perform actions in this account.", () => {
              entityType = "account";
              showBody();
            }),
            radio("entity", "custom", "Custom trust policy", entityType === "custom", "Create a custom trust policy to enable others to perform actions in this account.", () => {
              entityType = "custom";
              showBody();
            }),
          ),
          body,
        ),
        errors,
        buttonRow(
          button("Cancel", () => navigate("#/roles")),
          actionButton(
            "Next",
            async () => {
              clear(errors);
              if (entityType === "custom") {
                const v = await editor.validate().catch((e) => {
                  showError(errors, e);
                  return null;
                });
                if (!v) return;
                if (!v.valid) {
                  errors.append(h("div", { class: "alert alert-error", role: "alert" }, describeValidation(v)));
                  editor.view.focus();
                  return;
                }
                trustDocument = editor.text();
              } else {
                const account = accountChoice.mode === "this" ? session().account ?? "" : otherAccount.value.trim();
                if (!/^\d{12}$/.test(account)) {
                  errors.append(h("div", { class: "alert alert-error", role: "alert" }, "Enter a 12-digit account ID."));
                  otherAccount.focus();
                  return;
                }
                trustDocument = accountTrustPolicy(account);
              }
              await step2();
            },
            { primary: true },
          ),
        ),
      );
      showBody();
      main.querySelector("h1")?.focus();
    };

    const step2 = async () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      main.append(pageHeader("Add permissions"), steps(names, 1), errors);
      if (!policies) {
        try {
          policies = await api.iamAll("ListPolicies", "Policies");
        } catch (e) {
          showError(errors, e);
          policies = [];
        }
      }
      if (!picker) picker = policyPicker(policies, new Set(), "Permissions policies");
      main.append(
        picker.element,
        buttonRow(
          button("Cancel", () => navigate("#/roles")),
          button("Previous", step1),
          button("Next", step3, { primary: true }),
        ),
      );
      main.querySelector("h1")?.focus();
    };

    const step3 = () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      const chosen = picker?.selected() ?? [];
      main.append(
        pageHeader("Name, review, and create"),
        steps(names, 2),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "Role details"),
          field("Role name", roleName, "Up to 64 characters: letters, digits and + = , . @ - _"),
          field("Description", description),
        ),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "Step 1: Select trusted entities"),
          h("pre", { class: "code", tabindex: "0", "aria-label": "Trust policy" }, trustDocument),
        ),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "Step 2: Add permissions"),
          table(["Policy name", "Type"], chosen.map((p) => [p.name, policyType(p.arn)]), "Permissions policy summary"),
        ),
        errors,
        buttonRow(
          button("Cancel", () => navigate("#/roles")),
          button("Previous", () => void step2()),
          actionButton(
            "Create role",
            async () => {
              clear(errors);
              const name = roleName.value.trim();
              if (!kRoleName.test(name)) {
                errors.append(h("div", { class: "alert alert-error", role: "alert" }, "Enter a role name: 1 to 64 letters, digits and + = , . @ - _"));
                roleName.focus();
                return;
              }
              try {
                const params: Record<string, string> = { RoleName: name, AssumeRolePolicyDocument: trustDocument };
                if (description.value.trim()) params.Description = description.value.trim();
                await api.iam("CreateRole", params);
              } catch (e) {
                showError(errors, e);
                return;
              }
              for (const p of chosen) {
                try {
                  await api.iam("AttachRolePolicy", { RoleName: name, PolicyArn: p.arn });
                } catch (e) {
                  flash(`Role ${name} created, but attaching ${p.name} failed.`);
                  navigate("#/roles/view/" + encodeURIComponent(name));
                  return;
                }
              }
              flash(`Role ${name} created.`);
              navigate("#/roles/view/" + encodeURIComponent(name));
            },
            { primary: true },
          ),
        ),
      );
      main.querySelector("h1")?.focus();
    };

    step1();
  },
});

addRoute(/^\/roles\/view\/([^/]+)$/, {
  title: "Role",
  async render(main, [name]) {
    const role = (await api.iam("GetRole", { RoleName: name })).Role ?? {};
    const trust = decodePolicy(role.AssumeRolePolicyDocument ?? "");
    const errors = h("div", { class: "errors" });
    main.append(
      pageHeader(
        name,
        link("#/chain/" + encodeURIComponent(name), "Access chain", "button"),
        actionButton("Delete", async () => {
          if (!confirm(`Delete role ${name}?`)) return;
          try {
            await api.iam("DeleteRole", { RoleName: name });
            flash(`Role ${name} deleted.`);
            navigate("#/roles");
          } catch (e) {
            showError(errors, e);
          }
        }),
      ),
      errors,
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Summary"),
        details([
          ["ARN", h("code", { id: "role-arn" }, role.Arn ?? "")],
          ["Description", role.Description ?? ""],
          ["Created", formatDate(role.CreateDate)],
          ["Maximum session duration", role.MaxSessionDuration ? `${Number(role.MaxSessionDuration) / 3600} hour(s)` : ""],
        ]),
      ),
    );
    const permissions = h("section", { class: "panel" }, h("h2", {}, "Permissions policies"));
    main.append(permissions);
    try {
      const attached = await api.iamAll("ListAttachedRolePolicies", "AttachedPolicies", { RoleName: name });
      const inline = await api.iamAll("ListRolePolicies", "PolicyNames", { RoleName: name });
      permissions.append(
        table(
          ["Policy name", "Type"],
          [
            ...attached.map((p) => [policyLink(p.PolicyArn, p.PolicyName), policyType(p.PolicyArn)]),
            ...inline.map((n) => [String(n), "Customer inline"]),
          ],
          "Permissions policies",
        ),
      );
    } catch (e) {
      showError(permissions, e);
    }
    main.append(
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Trust relationships"),
        h("p", { class: "hint" }, "Entities that can assume this role under specified conditions."),
        h("pre", { class: "code", tabindex: "0", "aria-label": "Trust policy", id: "trust-policy" }, trust),
      ),
    );
  },
});
