// IAM › Policies: the list, Create policy (Specify permissions with the JSON policy editor, then
// Review and create), and a policy's detail.
import * as api from "../api";
import { addRoute, flash, link, navigate, pageHeader, showError } from "../app";
import { actionButton, clear, details, field, h, table } from "../dom";
import { describeValidation, policyEditor } from "../editor";
import { button, buttonRow, decodePolicy, formatDate, policyLink, policyType, statementsTable, steps } from "../widgets";

// The template the IAM console's JSON editor starts with.
const kTemplate = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Statement1",
      "Effect": "Allow",
      "Action": [],
      "Resource": []
    }
  ]
}`;

const kNamePattern = /^[\w+=,.@-]{1,128}$/;

addRoute(/^\/policies$/, {
  title: "Policies",
  async render(main) {
    main.append(
      pageHeader("Policies", link("#/policies/create", "Create policy", "button primary")),
      h("p", { class: "lead" }, "Managed policies of this account. A policy is an object that defines permissions."),
    );
    const policies = await api.iamAll("ListPolicies", "Policies");
    main.append(
      table(
        ["Policy name", "Type", "Attached entities", "Created"],
        policies.map((p) => [policyLink(p.Arn, p.PolicyName), policyType(p.Arn), String(p.AttachmentCount ?? "0"), formatDate(p.CreateDate)]),
        "Policies",
      ),
    );
  },
});

addRoute(/^\/policies\/create$/, {
  title: "Create policy",
  async render(main) {
    const names = ["Specify permissions", "Review and create"];
    const editor = policyEditor({ label: "Policy editor", kind: "identity", limit: "managed", initial: kTemplate });
    let mode: "visual" | "json" = "visual";
    const name = h("input", { type: "text", autocomplete: "off", maxlength: "128", required: true });
    const description = h("textarea", { rows: "2", maxlength: "1000" });

    const showStep1 = () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      const visual = h("button", { type: "button", class: "segment", "aria-pressed": String(mode === "visual") }, "Visual");
      const jsonButton = h("button", { type: "button", class: "segment", "aria-pressed": String(mode === "json") }, "JSON");
      const body = h("div", {});
      const showMode = () => {
        visual.setAttribute("aria-pressed", String(mode === "visual"));
        jsonButton.setAttribute("aria-pressed", String(mode === "json"));
        clear(body);
        if (mode === "json") {
          body.append(editor.element);
        } else {
          body.append(
            h("h3", {}, "Statements"),
            statementsTable(editor.text(), "Statements of the policy"),
            h("p", { class: "hint" }, "The visual view is read-only here: select JSON to edit the policy."),
          );
        }
      };
      visual.addEventListener("click", () => {
        mode = "visual";
        showMode();
      });
      jsonButton.addEventListener("click", () => {
        mode = "json";
        showMode();
        editor.view.focus();
      });
      main.append(
        pageHeader("Specify permissions"),
        steps(names, 0),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "Policy editor"),
          h("div", { class: "segmented", role: "group", "aria-label": "Policy editor mode" }, visual, jsonButton),
          body,
        ),
        errors,
        buttonRow(
          button("Cancel", () => navigate("#/policies")),
          actionButton(
            "Next",
            async () => {
              try {
                const v = await editor.validate();
                if (!v.valid) {
                  clear(errors);
                  errors.append(h("div", { class: "alert alert-error", role: "alert" }, describeValidation(v)));
                  if (mode === "json") editor.view.focus();
                  return;
                }
                showStep2();
              } catch (e) {
                showError(errors, e);
              }
            },
            { primary: true },
          ),
        ),
      );
      showMode();
      main.querySelector("h1")?.focus();
    };

    const showStep2 = () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      main.append(
        pageHeader("Review and create"),
        steps(names, 1),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "Policy details"),
          field("Policy name", name, "Up to 128 characters: letters, digits and + = , . @ - _"),
          field("Description - optional", description),
        ),
        h("section", { class: "panel" }, h("h2", {}, "Permissions defined in this policy"), statementsTable(editor.text(), "Permissions defined in this policy")),
        errors,
        buttonRow(
          button("Cancel", () => navigate("#/policies")),
          button("Previous", showStep1),
          actionButton(
            "Create policy",
            async () => {
              clear(errors);
              const policyName = name.value.trim();
              if (!kNamePattern.test(policyName)) {
                errors.append(h("div", { class: "alert alert-error", role: "alert" }, "Enter a policy name: 1 to 128 letters, digits and + = , . @ - _"));
                name.focus();
                return;
              }
              try {
                const params: Record<string, string> = { PolicyName: policyName, PolicyDocument: editor.text() };
                if (description.value.trim()) params.Description = description.value.trim();
                await api.iam("CreatePolicy", params);
                flash(`Policy ${policyName} created.`);
                navigate("#/policies");
              } catch (e) {
                showError(errors, e);
              }
            },
            { primary: true },
          ),
        ),
      );
      main.querySelector("h1")?.focus();
    };

    showStep1();
  },
});

addRoute(/^\/policies\/view\/(.+)$/, {
  title: "Policy",
  async render(main, [arn]) {
    const p = (await api.iam("GetPolicy", { PolicyArn: arn })).Policy ?? {};
    const v = await api.iam("GetPolicyVersion", { PolicyArn: arn, VersionId: p.DefaultVersionId });
    const document = decodePolicy(v.PolicyVersion?.Document ?? "");
    const errors = h("div", { class: "errors" });
    main.append(
      pageHeader(
        p.PolicyName ?? arn,
        actionButton("Delete", async () => {
          if (!confirm(`Delete policy ${p.PolicyName}?`)) return;
          try {
            await api.iam("DeletePolicy", { PolicyArn: arn });
            flash(`Policy ${p.PolicyName} deleted.`);
            navigate("#/policies");
          } catch (e) {
            showError(errors, e);
          }
        }),
      ),
      errors,
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Policy details"),
        details([
          ["ARN", h("code", {}, arn)],
          ["Type", policyType(arn)],
          ["Description", p.Description ?? ""],
          ["Default version", p.DefaultVersionId ?? ""],
          ["Attached entities", String(p.AttachmentCount ?? "0")],
          ["Created", formatDate(p.CreateDate)],
        ]),
      ),
      h("section", { class: "panel" }, h("h2", {}, "Permissions defined in this policy"), statementsTable(document, "Statements")),
      h("section", { class: "panel" }, h("h2", {}, "JSON"), h("pre", { class: "code", tabindex: "0", "aria-label": "Policy document" }, document)),
    );
  },
});
