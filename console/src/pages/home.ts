// Sign in, and the dashboard: the spec's console steps as links.
import * as api from "../api";
import { addRoute, flash, link, navigate, pageHeader, session, setSession, setSignInPage, showError } from "../app";
import { clear, field, h } from "../dom";

const signIn = {
  title: "Sign in",
  async render(main: HTMLElement) {
    if (session().signedIn) {
      navigate("#/");
      return;
    }
    const akid = h("input", { type: "text", name: "accessKeyId", autocomplete: "username", spellcheck: "false", required: true });
    const secret = h("input", { type: "password", name: "secretAccessKey", autocomplete: "current-password", required: true });
    const errors = h("div", { class: "errors" });
    const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
    const form = h(
      "form",
      { class: "panel sign-in", "aria-labelledby": "sign-in-title", novalidate: true },
      field("Access key ID", akid),
      field("Secret access key", secret),
      errors,
      h("div", { class: "button-row" }, submit),
    );
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clear(errors);
      submit.disabled = true;
      try {
        const s = await api.signIn(akid.value, secret.value);
        secret.value = "";
        setSession(s);
        flash(`Signed in as ${s.arn}.`);
        navigate("#/");
      } catch (e) {
        showError(errors, e);
        secret.focus();
      } finally {
        submit.disabled = false;
      }
    });
    const header = pageHeader("Sign in");
    header.querySelector("h1")!.id = "sign-in-title";
    main.append(
      header,
      h(
        "p",
        { class: "lead" },
        "Sign in to an account of this cpa serve with an access key: the account's root keys (in ",
        h("code", {}, "DATA/root-credentials"),
        ") or an IAM user's key. The console acts as that principal: IAM decides what it may do.",
      ),
      form,
    );
  },
};
setSignInPage(signIn);
addRoute(/^\/sign-in$/, signIn);

addRoute(/^\/$/, {
  title: "Dashboard",
  async render(main) {
    const s = session();
    main.append(
      pageHeader("cpa console"),
      h("p", { class: "lead" }, "Signed in as ", h("code", {}, s.arn ?? ""), ` in account ${s.account ?? ""}.`),
      h(
        "section",
        { class: "panel" },
        h("h2", {}, "Share access to EKS Anywhere Curated Packages"),
        h(
          "ol",
          { class: "spec-steps" },
          h("li", {}, "Save the curated packages registry account of your subscription: ", link("#/subscriptions", "EKS Anywhere subscriptions"), "."),
          h("li", {}, "In the subscription's account, create the ECR read policy: ", link("#/policies/create", "Policies › Create policy"), "."),
          h("li", {}, "Create the role the other account assumes, with a custom trust policy: ", link("#/roles/create", "Roles › Create role"), "."),
          h("li", {}, "In the receiving account, create the assume-role policy and the user: ", link("#/policies/create", "Create policy"), ", ", link("#/users/create", "Users › Create user"), "."),
          h("li", {}, "Create the user's access key for the CLI from the user's page, and copy it."),
          h("li", {}, "Write the AWS config file, and check the chain: ", link("#/chain", "Access chain"), "."),
        ),
      ),
    );
  },
});
