// IAM › Users: the list, Create user (Specify user details, Set permissions with Attach policies
// directly, Review and create), a user's detail, and Create access key (use case, description
// tag, Retrieve access keys: shown once, with copy buttons).
import * as api from "../api";
import { addRoute, flash, link, navigate, pageHeader, showError } from "../app";
import { actionButton, type Child, clear, details, field, h, table, uid } from "../dom";
import { button, buttonRow, copyButton, formatDate, policyLink, policyPicker, policyType, steps } from "../widgets";

const kUserName = /^[\w+=,.@-]{1,64}$/;

function userLink(name: string): HTMLAnchorElement {
  return h("a", { href: "#/users/view/" + encodeURIComponent(name) }, name);
}

addRoute(/^\/users$/, {
  title: "Users",
  async render(main) {
    main.append(
      pageHeader("Users", link("#/users/create", "Create user", "button primary")),
      h("p", { class: "lead" }, "An IAM user is an identity with long-term credentials that is used to interact with AWS in an account."),
    );
    const users = await api.iamAll("ListUsers", "Users");
    main.append(table(["User name", "Path", "Created"], users.map((u) => [userLink(u.UserName), u.Path ?? "/", formatDate(u.CreateDate)]), "Users"));
  },
});

addRoute(/^\/users\/create$/, {
  title: "Create user",
  async render(main) {
    const names = ["Specify user details", "Set permissions", "Review and create"];
    const userName = h("input", { type: "text", autocomplete: "off", maxlength: "64" });
    let picker: ReturnType<typeof policyPicker> | null = null;

    const step1 = () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      main.append(
        pageHeader("Specify user details"),
        steps(names, 0),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "User details"),
          field("User name", userName, "Up to 64 characters: letters, digits and + = , . @ - _"),
        ),
        errors,
        buttonRow(
          button("Cancel", () => navigate("#/users")),
          button(
            "Next",
            () => {
              clear(errors);
              if (!kUserName.test(userName.value.trim())) {
                errors.append(h("div", { class: "alert alert-error", role: "alert" }, "Enter a user name: 1 to 64 letters, digits and + = , . @ - _"));
                userName.focus();
                return;
              }
              void step2();
            },
            { primary: true },
          ),
        ),
      );
      main.querySelector("h1")?.focus();
    };

    const step2 = async () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      const id = uid("r");
      const groupId = uid("r");
      main.append(
        pageHeader("Set permissions"),
        steps(names, 1),
        h(
          "section",
          { class: "panel" },
          h(
            "fieldset",
            {},
            h("legend", {}, h("h2", {}, "Permissions options")),
            h(
              "div",
              { class: "choice" },
              h("input", { type: "radio", name: "perm", id: groupId, value: "group", disabled: true }),
              h("label", { for: groupId }, h("strong", {}, "Add user to group"), h("span", { class: "hint" }, "cpa serve has no IAM groups.")),
            ),
            h(
              "div",
              { class: "choice" },
              h("input", { type: "radio", name: "perm", id, value: "direct", checked: true }),
              h("label", { for: id }, h("strong", {}, "Attach policies directly"), h("span", { class: "hint" }, "Attach a managed policy directly to a user.")),
            ),
          ),
        ),
        errors,
      );
      if (!picker) {
        let policies: api.Json[] = [];
        try {
          policies = await api.iamAll("ListPolicies", "Policies");
        } catch (e) {
          showError(errors, e);
        }
        picker = policyPicker(policies, new Set(), "Permissions policies");
      }
      main.append(
        picker.element,
        buttonRow(button("Cancel", () => navigate("#/users")), button("Previous", step1), button("Next", step3, { primary: true })),
      );
      main.querySelector("h1")?.focus();
    };

    const step3 = () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      const chosen = picker?.selected() ?? [];
      const name = userName.value.trim();
      main.append(
        pageHeader("Review and create"),
        steps(names, 2),
        h("section", { class: "panel" }, h("h2", {}, "User details"), details([["User name", name]])),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "Permissions summary"),
          table(["Name", "Type", "Used as"], chosen.map((p) => [p.name, policyType(p.arn), "Permissions policy"]), "Permissions summary"),
        ),
        errors,
        buttonRow(
          button("Cancel", () => navigate("#/users")),
          button("Previous", () => void step2()),
          actionButton(
            "Create user",
            async () => {
              clear(errors);
              try {
                await api.iam("CreateUser", { UserName: name });
              } catch (e) {
                showError(errors, e);
                return;
              }
              for (const p of chosen) {
                try {
                  await api.iam("AttachUserPolicy", { UserName: name, PolicyArn: p.arn });
                } catch {
                  flash(`User ${name} created, but attaching ${p.name} failed.`);
                  navigate("#/users/view/" + encodeURIComponent(name));
                  return;
                }
              }
              flash(`User ${name} created.`);
              navigate("#/users/view/" + encodeURIComponent(name));
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

addRoute(/^\/users\/view\/([^/]+)$/, {
  title: "User",
  async render(main, [name]) {
    const user = (await api.iam("GetUser", { UserName: name })).User ?? {};
    const errors = h("div", { class: "errors" });
    let keys: api.Json[] = [];
    try {
      keys = await api.iamAll("ListAccessKeys", "AccessKeyMetadata", { UserName: name });
    } catch (e) {
      showError(errors, e);
    }
    const createKey = "#/users/view/" + encodeURIComponent(name) + "/create-access-key";
    const keySlot = (i: number): Child => {
      const k = keys[i];
      if (k) return h("span", {}, h("code", {}, k.AccessKeyId), ` - ${k.Status}`);
      return i === keys.length ? link(createKey, "Create access key") : "Not enabled";
    };
    main.append(
      pageHeader(name),
      errors,
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Summary"),
        details([
          ["ARN", h("code", {}, user.Arn ?? "")],
          ["Created", formatDate(user.CreateDate)],
          ["Access key 1", keySlot(0)],
          ["Access key 2", keySlot(1)],
        ]),
      ),
    );
    const permissions = h("section", { class: "panel" }, h("h2", {}, "Permissions policies"));
    main.append(permissions);
    try {
      const attached = await api.iamAll("ListAttachedUserPolicies", "AttachedPolicies", { UserName: name });
      const inline = await api.iamAll("ListUserPolicies", "PolicyNames", { UserName: name });
      permissions.append(
        table(
          ["Policy name", "Type", "Attached via"],
          [
            ...attached.map((p) => [policyLink(p.PolicyArn, p.PolicyName), policyType(p.PolicyArn), "Directly"]),
            ...inline.map((n) => [String(n), "Customer inline", "Inline"]),
          ],
          "Permissions policies",
        ),
      );
    } catch (e) {
      showError(permissions, e);
    }
    const keyRows = keys.map((k) => [
      h("code", {}, k.AccessKeyId),
      k.Status,
      formatDate(k.CreateDate),
      h(
        "span",
        { class: "row-actions" },
        actionButton(k.Status === "Active" ? `Deactivate ${k.AccessKeyId}` : `Activate ${k.AccessKeyId}`, async () => {
          try {
            await api.iam("UpdateAccessKey", { UserName: name, AccessKeyId: k.AccessKeyId, Status: k.Status === "Active" ? "Inactive" : "Active" });
            navigate("#/users/view/" + encodeURIComponent(name));
          } catch (e) {
            showError(errors, e);
          }
        }),
        actionButton(`Delete ${k.AccessKeyId}`, async () => {
          if (!confirm(`Delete access key ${k.AccessKeyId}?`)) return;
          try {
            await api.iam("DeleteAccessKey", { UserName: name, AccessKeyId: k.AccessKeyId });
            navigate("#/users/view/" + encodeURIComponent(name));
          } catch (e) {
            showError(errors, e);
          }
        }),
      ),
    ]);
    main.append(
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Access keys"),
        keys.length < 2 ? h("p", {}, link(createKey, "Create access key", "button")) : null,
        table(["Access key ID", "Status", "Created", "Actions"], keyRows, "Access keys"),
      ),
    );
  },
});

const kUseCases: [string, string, string][] = [
  ["cli", "Command Line Interface (CLI)", "You plan to use this access key to enable the AWS CLI to access your AWS account."],
  ["local", "Local code", "You plan to use this access key to enable application code in a local development environment to access your AWS account."],
  ["compute", "Application running on an AWS compute service", "You plan to use this access key to enable application code running on an AWS compute service to access your AWS account."],
  ["third-party", "Third-party service", "You plan to use this access key to enable access for a third-party application or service that monitors or manages your AWS resources."],
  ["outside", "Application running outside AWS", "You plan to use this access key to authenticate workloads running in your data center or other infrastructure outside of AWS."],
  ["other", "Other", "Your use case is not listed here."],
];

addRoute(/^\/users\/view\/([^/]+)\/create-access-key$/, {
  title: "Create access key",
  async render(main, [name]) {
    const names = ["Access key best practices & alternatives", "Set description tag - optional", "Retrieve access keys"];
    let useCase = "";
    const confirmBox = h("input", { type: "checkbox", id: uid("confirm") });
    const description = h("input", { type: "text", maxlength: "256", autocomplete: "off" });

    const step1 = () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      const recommendation = h("div", { class: "recommendation", hidden: true });
      const showRecommendation = () => {
        clear(recommendation);
        recommendation.hidden = useCase === "";
        if (useCase === "cli") {
          recommendation.append(
            h("h3", {}, "Alternatives recommended"),
            h("p", {}, "Use short-term credentials where you can (an assumed role, as the spec's config file does with role_arn). The key you create here should only be used to assume the role."),
          );
        } else if (useCase) {
          recommendation.append(h("p", {}, "Prefer temporary credentials (roles) to long-term access keys where possible."));
        }
        recommendation.append(
          h("div", { class: "choice" }, confirmBox, h("label", { for: confirmBox.id }, "I understand the above recommendation and want to proceed to create an access key.")),
        );
      };
      const radios = kUseCases.map(([value, label, hint]) => {
        const id = uid("use");
        const input = h("input", { type: "radio", name: "use-case", id, value, checked: useCase === value });
        input.addEventListener("change", () => {
          useCase = value;
          showRecommendation();
        });
        return h("div", { class: "choice" }, input, h("label", { for: id }, h("strong", {}, label), h("span", { class: "hint" }, hint)));
      });
      main.append(
        pageHeader("Access key best practices & alternatives"),
        steps(names, 0),
        h("section", { class: "panel" }, h("fieldset", {}, h("legend", {}, h("h2", {}, "Use case")), ...radios), recommendation),
        errors,
        buttonRow(
          button("Cancel", () => navigate("#/users/view/" + encodeURIComponent(name))),
          button(
            "Next",
            () => {
              clear(errors);
              if (!useCase) {
                errors.append(h("div", { class: "alert alert-error", role: "alert" }, "Choose a use case."));
                return;
              }
              if (!confirmBox.checked) {
                errors.append(h("div", { class: "alert alert-error", role: "alert" }, "Confirm that you understand the recommendation."));
                confirmBox.focus();
                return;
              }
              step2();
            },
            { primary: true },
          ),
        ),
      );
      showRecommendation();
      main.querySelector("h1")?.focus();
    };

    const step2 = () => {
      clear(main);
      const errors = h("div", { class: "errors" });
      main.append(
        pageHeader("Set description tag - optional"),
        steps(names, 1),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "Description tag value"),
          field(
            "Description tag value",
            description,
            "Describe the purpose of this access key and where it will be used. Note: cpa serve keeps no IAM tags, so the description is not stored.",
          ),
        ),
        errors,
        buttonRow(
          button("Cancel", () => navigate("#/users/view/" + encodeURIComponent(name))),
          button("Previous", step1),
          actionButton(
            "Create access key",
            async () => {
              clear(errors);
              try {
                const r = await api.iam("CreateAccessKey", { UserName: name });
                step3(r.AccessKey ?? {});
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

    // The secret exists only in this closure and the page: leaving the page forgets it.
    const step3 = (key: api.Json) => {
      clear(main);
      const akid: string = key.AccessKeyId ?? "";
      const secret: string = key.SecretAccessKey ?? "";
      const secretValue = h("code", { id: "secret-access-key", class: "secret masked" }, "*".repeat(16));
      let shown = false;
      const toggle = h("button", { type: "button", "aria-pressed": "false" }, "Show");
      toggle.addEventListener("click", () => {
        shown = !shown;
        secretValue.textContent = shown ? secret : "*".repeat(16);
        secretValue.classList.toggle("masked", !shown);
        toggle.textContent = shown ? "Hide" : "Show";
        toggle.setAttribute("aria-pressed", String(shown));
        renderConfig();
      });
      const roleArn = h("input", { type: "text", autocomplete: "off", placeholder: "arn:aws:iam::111111111111:role/curated-packages-role" });
      const region = h("input", { type: "text", autocomplete: "off", value: "us-west-2" });
      const configText = h("pre", { class: "code", id: "config-file", tabindex: "0", "aria-label": "AWS config file" });
      const config = (withSecret: boolean) =>
        configFile(roleArn.value.trim() || "<role-arn>", region.value.trim() || "<region-code>", akid, withSecret ? secret : "*".repeat(16));
      const renderConfig = () => {
        configText.textContent = config(shown);
      };
      roleArn.addEventListener("input", renderConfig);
      region.addEventListener("input", renderConfig);
      renderConfig();
      main.append(
        pageHeader("Retrieve access keys"),
        steps(names, 2),
        h(
          "div",
          { class: "alert alert-warning", role: "note" },
          "This is the only time that the secret access key can be viewed or copied. You cannot recover it later. However, you can create a new access key any time.",
        ),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "Access key"),
          table(
            ["Access key", "Secret access key"],
            [
              [
                h("span", {}, h("code", { id: "access-key-id" }, akid), " ", copyButton("Copy access key", () => akid)),
                h("span", {}, secretValue, " ", toggle, " ", copyButton("Copy secret access key", () => secret)),
              ],
            ],
            "Access key",
          ),
        ),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, "AWS config file (spec step 6)"),
          h("p", { class: "hint" }, "The receiving account's config file for the packages controller: the role of the subscription account, assumed with this key."),
          field("Role ARN", roleArn),
          field("Region", region),
          configText,
          copyButton("Copy config file", () => config(true)),
        ),
        buttonRow(
          button(
            "Done",
            () => {
              navigate("#/users/view/" + encodeURIComponent(name));
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

function configFile(roleArn: string, region: string, akid: string, secret: string): string {
  return [
    "[default]",
    "source_profile=curated-packages-user",
    `role_arn=${roleArn}`,
    `region=${region}`,
    "",
    "[profile curated-packages-user]",
    `aws_access_key_id=${akid}`,
    `aws_secret_access_key=${secret}`,
    "",
  ].join("\n");
}
