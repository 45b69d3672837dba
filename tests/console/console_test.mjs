// The console in a real browser: Playwright (playwright-core) drives Debian's chromium, headless,
// against a `cpa serve --listen 127.0.0.1:0` this test starts and always stops.
//
//   - signed in as 111111111111 (keyboard only for sign-in and step 2): an EKS Anywhere
//     subscription in us-west-2 and its packageRegistry (step 1), a malformed policy (the
//     validation message is `cpa policy check`'s and nothing is created), steps 2 and 3 as the
//     spec words them;
//   - signed in as 999999999999: steps 4 and 5, the access key copied with the page's buttons;
//   - the spec's config file written with that key: the AWS CLI (v1) assumes the role and gets an
//     ECR password with which skopeo pulls the bundle (registry hosts resolved in a private mount
//     namespace: tests/support/with-private-hosts);
//   - the user of step 4 signed in: AccessDenied for iam:ListRoles and iam:CreateRole;
//   - CSRF: a POST without the token, with a wrong one, or from another origin is refused and
//     changes nothing;
//   - every page: a screenshot in SCREENSHOT_DIR, one h1, every input labelled.
//
// Usage: node console_test.mjs PATH_TO_CPA SCREENSHOT_DIR [PYTHON]
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(ROOT, "console", "package.json"));
const { chromium } = require("playwright-core");

const CPA = resolve(process.argv[2] ?? "");
const SHOTS = resolve(process.argv[3] ?? join(tmpdir(), "cpa-console-screenshots"));
const PYTHON = process.argv[4] ?? "python3"; // runs the AWS CLI v1 (python3 -m awscli)
const CHROMIUM = process.env.CPA_CHROMIUM ?? "/usr/bin/chromium";
const WITH_HOSTS = join(ROOT, "tests", "support", "with-private-hosts");
const SRC = "111111111111";
const DST = "999999999999";
const REGION = "us-west-2";
const PACKAGES = "346438352937"; // us-west-2's curated packages account
const ROLE_ARN = `arn:aws:iam::${SRC}:role/curated-packages-role`;

// The spec's documents, verbatim (step 2 with the packages account filled in).
const specPolicy = (account) => `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ECRRead",
      "Effect": "Allow",
      "Action": [
        "ecr:DescribeImageScanFindings",
        "ecr:GetDownloadUrlForLayer",
        "ecr:DescribeRegistry",
        "ecr:DescribePullThroughCacheRules",
        "ecr:DescribeImageReplicationStatus",
        "ecr:ListTagsForResource",
        "ecr:ListImages",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:DescribeRepositories",
        "ecr:BatchCheckLayerAvailability"
      ],
      "Resource": "arn:aws:ecr:*:${account}:repository/*"
    },
    {
      "Sid": "ECRLogin",
      "Effect": "Allow",
      "Action": [
        "ecr:GetAuthorizationToken"
      ],
      "Resource": "*"
    }
  ]
}`;
const specTrust = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::999999999999:root"
      },
      "Action": "sts:AssumeRole"
    }
  ]
}`;
const specAssume = `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Resource": "arn:aws:iam::111111111111:role/curated-packages-role"
  }
}`;

const S = { tmp: "", server: null, url: "", port: 0, root: {}, browser: null, context: null, page: null, shot: 0, key: null };

function readIni(text) {
  const out = {};
  let section = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const m = /^\[(.+)\]$/.exec(line);
    if (m) out[(section = m[1])] = {};
    else if (section && line.includes("=")) {
      const i = line.indexOf("=");
      out[section][line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
  }
  return out;
}

async function startServer() {
  S.tmp = mkdtempSync(join(tmpdir(), "cpa-console-test-"));
  const data = join(S.tmp, "data");
  const proc = spawn(CPA, ["serve", "--listen", "127.0.0.1:0", "--data", data, "--workers", "2"], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  S.server = proc;
  S.stderr = "";
  proc.stderr.on("data", (d) => (S.stderr += d));
  S.exited = new Promise((res) => proc.on("exit", (code, signal) => res({ code, signal })));
  const stderr = () => S.stderr;
  const line = await new Promise((resolveLine, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("cpa serve did not start: " + stderr())), 60000);
    proc.stdout.on("data", (d) => {
      buf += d;
      if (buf.includes("\n")) {
        clearTimeout(timer);
        resolveLine(buf.split("\n")[0]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`cpa serve exited (${code}): ${stderr()}`)));
  });
  const m = /^cpa serve: listening on (http:\/\/127\.0\.0\.1:(\d+)), data /.exec(line);
  assert.ok(m, "ready line: " + line);
  S.url = m[1];
  S.port = Number(m[2]);
  const creds = readIni(readFileSync(join(data, "root-credentials"), "utf8"));
  for (const a of [SRC, DST]) {
    S.root[a] = { id: creds["account-" + a].aws_access_key_id, secret: creds["account-" + a].aws_secret_access_key };
  }
}

// Stops the server (SIGTERM, then SIGKILL after 10 s); resolves to how it ended.
async function stopServer() {
  if (!S.server) return null;
  if (S.server.exitCode === null && S.server.signalCode === null) {
    try {
      process.kill(-S.server.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-S.server.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, 10000);
  const end = await S.exited;
  clearTimeout(timer);
  return end;
}

// ---- page helpers ----

async function shoot(name) {
  S.shot += 1;
  const file = join(SHOTS, `${String(S.shot).padStart(2, "0")}-${name}.png`);
  await S.page.screenshot({ path: file, fullPage: true });
  await checkAccessible(name);
}

// One h1; every form control has an accessible name; every button has a name.
async function checkAccessible(name) {
  const problems = await S.page.evaluate(() => {
    const out = [];
    const h1s = document.querySelectorAll("main h1");
    if (h1s.length !== 1) out.push(`${h1s.length} h1 elements`);
    const named = (el) =>
      (el.labels && el.labels.length > 0) ||
      el.getAttribute("aria-label") ||
      (el.getAttribute("aria-labelledby") || "").split(/\s+/).some((id) => id && document.getElementById(id)?.textContent?.trim());
    for (const el of document.querySelectorAll("input, select, textarea, [contenteditable=true]")) {
      if (el.type === "hidden" || el.closest("[hidden]")) continue;
      if (!named(el)) out.push(`unlabelled ${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 80)}`);
    }
    for (const b of document.querySelectorAll("button, a[href]")) {
      if (b.closest("[hidden]")) continue;
      if (!(b.textContent || "").trim() && !b.getAttribute("aria-label")) out.push(`unnamed ${b.outerHTML.slice(0, 80)}`);
    }
    return out;
  });
  assert.deepEqual(problems, [], `accessibility of ${name}`);
}

// Keyboard only: presses Tab until the focused element matches, then returns.
async function tabTo(description, matches, max = 60) {
  for (let i = 0; i < max; i++) {
    await S.page.keyboard.press("Tab");
    const ok = await S.page.evaluate(matches);
    if (ok) return;
  }
  throw new Error(`Tab never reached ${description}`);
}
const focusedText = (text) => new Function(`const e = document.activeElement; return !!e && (e.textContent || "").trim() === ${JSON.stringify(text)};`);
const focusedLabel = (label) =>
  new Function(`const e = document.activeElement; return !!e && !!e.labels && [...e.labels].some(l => l.textContent.trim() === ${JSON.stringify(label)});`);

// A link of the navigation pane.
function nav(name) {
  return S.page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true });
}

async function heading() {
  return (await S.page.locator("main h1").textContent()).trim();
}

async function waitHeading(text) {
  await S.page.locator("main h1", { hasText: text }).first().waitFor();
}

async function signIn(id, secret, { keyboard = false } = {}) {
  await S.page.goto(S.url + "/console/");
  await waitHeading("Sign in");
  if (keyboard) {
    await tabTo("Access key ID", focusedLabel("Access key ID"));
    await S.page.keyboard.type(id);
    await S.page.keyboard.press("Tab");
    await S.page.keyboard.type(secret);
    await S.page.keyboard.press("Enter");
  } else {
    await S.page.getByLabel("Access key ID").fill(id);
    await S.page.getByLabel("Secret access key").fill(secret);
    await S.page.getByRole("button", { name: "Sign in" }).click();
  }
  await waitHeading("cpa console");
}

async function signOut() {
  await S.page.getByRole("button", { name: "Sign out" }).click();
  await waitHeading("Sign in");
}

// Replaces the editor's text as a person pastes it (clipboard + Ctrl+V).
async function pasteIntoEditor(text) {
  await S.page.evaluate((t) => navigator.clipboard.writeText(t), text);
  const editor = S.page.getByTestId("policy-editor");
  await editor.focus();
  await S.page.keyboard.press("Control+A");
  await S.page.keyboard.press("Control+V");
  await S.page.waitForFunction(
    (t) => document.querySelector(".cm-content")?.textContent.replace(/\s/g, "") === t.replace(/\s/g, ""),
    text,
  );
}

async function validationText() {
  const status = S.page.locator(".validation");
  return (await status.textContent()).trim();
}

// The console's own JSON API from the page (with the session's cookie and, unless told, token).
async function consoleApi(path, body, { token = "session", headers = {} } = {}) {
  return S.page.evaluate(
    async ({ path, body, token, headers }) => {
      let csrf = token;
      if (token === "session") csrf = (await (await fetch("/console/api/session")).json()).csrfToken;
      const h = { "Content-Type": "application/json", ...headers };
      if (csrf !== null) h["X-CSRF-Token"] = csrf;
      const r = await fetch("/console/api/" + path, { method: "POST", headers: h, body: JSON.stringify(body) });
      return { status: r.status, body: await r.json() };
    },
    { path, body, token, headers },
  );
}

function cpaPolicyCheck(document) {
  const file = join(S.tmp, "check.json");
  writeFileSync(file, document);
  return new Promise((res) => {
    execFile(CPA, ["policy", "check", file, "--kind", "identity", "--limit", "managed", "--output", "json"], (err, stdout) => res(JSON.parse(stdout)));
  });
}

function scrubbedEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
  return { ...env, HOME: S.tmp, AWS_EC2_METADATA_DISABLED: "true", AWS_PAGER: "", ...extra };
}

// A step of the one scenario: after a failure the later steps are skipped (they depend on it), and
// the page as it was is saved as failure.png.
function step(name, fn) {
  it(name, async (t) => {
    if (S.failed) {
      t.skip("an earlier step failed");
      return;
    }
    try {
      await fn();
    } catch (e) {
      S.failed = true;
      if (S.page) await S.page.screenshot({ path: join(SHOTS, "failure.png"), fullPage: true }).catch(() => {});
      throw e;
    }
  });
}

// ---- the test ----

describe("cpa console in chromium", { timeout: 240000 }, () => {
  before(async () => {
    assert.ok(process.argv[2], "usage: node console_test.mjs PATH_TO_CPA SCREENSHOT_DIR");
    mkdirSync(SHOTS, { recursive: true });
    for (const f of readdirSync(SHOTS)) if (f.endsWith(".png")) rmSync(join(SHOTS, f));
    await startServer();
    const args = ["--disable-gpu", "--disable-dev-shm-usage"];
    if (process.getuid && process.getuid() === 0) args.push("--no-sandbox");
    S.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
    S.context = await S.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await S.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: S.url });
    S.page = await S.context.newPage();
    S.page.setDefaultTimeout(15000);
  });

  after(async () => {
    let end = null;
    try {
      if (S.browser) await S.browser.close();
    } finally {
      end = await stopServer();
      if (S.tmp) rmSync(S.tmp, { recursive: true, force: true });
    }
    // A clean stop: exit 0 and no sanitizer report (the suite also runs against an ASan build).
    assert.deepEqual(end, { code: 0, signal: null }, S.stderr);
    assert.doesNotMatch(S.stderr, /Sanitizer/, S.stderr);
  });

  step("serves the page and refuses the API without a session", async () => {
    const index = await fetch(S.url + "/console/");
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-security-policy"), /script-src 'self'/);
    assert.match(await index.text(), /assets\/console\.js/);
    const noSession = await fetch(S.url + "/console/api/iam/ListUsers", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(noSession.status, 401);
    assert.equal((await noSession.json()).error.code, "NotSignedIn");
    const traversal = await fetch(S.url + "/console/assets/..%2f..%2fdata%2froot-credentials");
    assert.equal(traversal.status, 404);
  });

  step("signs in as 111111111111 with the keyboard only", async () => {
    await S.page.goto(S.url + "/console/");
    await waitHeading("Sign in");
    await shoot("sign-in");
    // A wrong secret is refused with AWS's code.
    await S.page.getByLabel("Access key ID").fill(S.root[SRC].id);
    await S.page.getByLabel("Secret access key").fill("x".repeat(40));
    await S.page.getByRole("button", { name: "Sign in" }).click();
    await S.page.getByRole("alert").filter({ hasText: "SignatureDoesNotMatch" }).waitFor();
    await S.page.getByLabel("Access key ID").fill("");
    await S.page.getByLabel("Secret access key").fill("");
    await signIn(S.root[SRC].id, S.root[SRC].secret, { keyboard: true });
    assert.equal(await S.page.locator(".who .principal").textContent(), `arn:aws:iam::${SRC}:root`);
    const cookies = await S.context.cookies();
    const c = cookies.find((x) => x.name === "cpa_console");
    assert.ok(c, "session cookie");
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, "Strict");
    assert.equal(c.path, "/console");
    assert.equal(await S.page.evaluate(() => document.cookie), "", "scripts cannot read the cookie");
    assert.equal(await S.page.evaluate(() => localStorage.length + sessionStorage.length), 0);
    await shoot("dashboard");
  });

  step("step 1: an EKS Anywhere subscription in us-west-2 and its packageRegistry", async () => {
    await nav("Subscriptions").click();
    await waitHeading("EKS Anywhere subscriptions");
    await S.page.getByRole("link", { name: "Create subscription" }).click();
    await waitHeading("Create subscription");
    await S.page.getByLabel("Name").fill("packages");
    await S.page.getByLabel("Region").selectOption(REGION);
    await shoot("subscription-create");
    await S.page.getByRole("button", { name: "Create subscription" }).click();
    await waitHeading("packages");
    assert.equal(await S.page.locator("#package-registry").textContent(), `${PACKAGES}.dkr.ecr.${REGION}.localhost`);
    assert.equal(await S.page.locator("#packages-account").textContent(), PACKAGES);
    await shoot("subscription-detail");
    await nav("Subscriptions").click();
    await S.page.getByRole("link", { name: "packages" }).waitFor();
    await shoot("subscriptions");
  });

  step("a malformed policy shows cpa policy check's message and nothing is created", async () => {
    await S.page.goto(S.url + "/console/#/policies/create");
    await waitHeading("Specify permissions");
    await S.page.getByRole("button", { name: "JSON" }).click();
    for (const bad of [
      '{"Version": "2012-10-17", "Statement": [',
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}',
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:ListImages", "Resource": "not-an-arn"}]}',
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "ecr:ListImages", "Resource": "*"}]}',
    ]) {
      await pasteIntoEditor(bad);
      const expected = await cpaPolicyCheck(bad);
      assert.ok(expected.error, "cpa policy check rejects it");
      const text = `${expected.error.code}: ${expected.error.message}`;
      await S.page.locator(".validation", { hasText: text }).waitFor();
      await S.page.getByRole("button", { name: "Next" }).click();
      await S.page.getByRole("alert").filter({ hasText: expected.error.message }).waitFor();
      assert.equal(await heading(), "Specify permissions", "Next stays on the page");
    }
    await shoot("policy-malformed");
    const listed = await consoleApi("iam/ListPolicies", { Scope: "Local" });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.result.Policies, "", "no policy was created");
  });

  step("step 2: the ECR read policy, keyboard only, as the spec words it", async () => {
    await S.page.goto(S.url + "/console/#/");
    await waitHeading("cpa console");
    // In the navigation pane, choose Policies and then choose Create policy.
    await tabTo("Policies", focusedText("Policies"));
    await S.page.keyboard.press("Enter");
    await waitHeading("Policies");
    await shoot("policies-empty");
    await tabTo("Create policy", focusedText("Create policy"));
    await S.page.keyboard.press("Enter");
    await waitHeading("Specify permissions");
    // On the Specify permissions page, select JSON.
    await tabTo("JSON", focusedText("JSON"));
    await S.page.keyboard.press("Enter");
    // Paste the permission specification into the Policy editor.
    await S.page.evaluate((t) => navigator.clipboard.writeText(t), specPolicy(PACKAGES));
    assert.equal(await S.page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "policy-editor");
    await S.page.keyboard.press("Control+A");
    await S.page.keyboard.press("Control+V");
    await S.page.locator(".validation", { hasText: "Valid identity policy: 2 statement(s)" }).waitFor();
    await shoot("policy-editor");
    // Choose Next (Tab leaves the editor).
    await tabTo("Next", focusedText("Next"));
    await S.page.keyboard.press("Enter");
    await waitHeading("Review and create");
    // Enter a Policy name, choose Create policy.
    await tabTo("Policy name", focusedLabel("Policy name"));
    await S.page.keyboard.type("curated-packages-policy");
    await shoot("policy-review");
    await tabTo("Create policy", focusedText("Create policy"));
    await S.page.keyboard.press("Enter");
    await waitHeading("Policies");
    await S.page.getByText("Policy curated-packages-policy created.").waitFor();
    await S.page.getByRole("link", { name: "curated-packages-policy" }).waitFor();
    await shoot("policies");
  });

  step("step 3: the role with a custom trust policy and the policy attached", async () => {
    await nav("Roles").click();
    await waitHeading("Roles");
    await S.page.getByRole("link", { name: "Create role" }).click();
    await waitHeading("Select trusted entity");
    await S.page.getByLabel("Custom trust policy").check();
    await pasteIntoEditor(specTrust);
    await S.page.locator(".validation", { hasText: "Valid trust policy: 1 statement(s)" }).waitFor();
    await shoot("role-trusted-entity");
    await S.page.getByRole("button", { name: "Next" }).click();
    await waitHeading("Add permissions");
    await S.page.getByLabel("Search").fill("curated-packages");
    await S.page.getByLabel("Select curated-packages-policy").check();
    await shoot("role-permissions");
    await S.page.getByRole("button", { name: "Next" }).click();
    await waitHeading("Name, review, and create");
    await S.page.getByLabel("Role name").fill("curated-packages-role");
    await shoot("role-review");
    await S.page.getByRole("button", { name: "Create role" }).click();
    await waitHeading("curated-packages-role");
    assert.equal(await S.page.locator("#role-arn").textContent(), ROLE_ARN);
    assert.deepEqual(JSON.parse(await S.page.locator("#trust-policy").textContent()), JSON.parse(specTrust));
    await S.page.getByRole("link", { name: "curated-packages-policy" }).waitFor();
    await shoot("role-detail");
  });

  step("the role's access chain: who may assume it and what it may pull, each edge explained", async () => {
    await S.page.locator("main").getByRole("link", { name: "Access chain" }).click();
    await waitHeading("Access chain");
    await S.page.getByRole("heading", { name: "Access chain of curated-packages-role" }).waitFor();
    const edges = S.page.locator("#chain-edges > li");
    const trust = edges.filter({ hasText: "account 999999999999 → role curated-packages-role" });
    assert.equal(await trust.getAttribute("data-status"), "unknown");
    await trust.getByText("Trust policy statement #1 allows arn:aws:iam::999999999999:root sts:AssumeRole.").waitFor();
    await trust.getByText("Not visible to arn:aws:iam::111111111111:root").waitFor();
    const pull = edges.filter({ hasText: `→ ${PACKAGES}.dkr.ecr.${REGION}.localhost` });
    assert.equal(await pull.getAttribute("data-status"), "allowed");
    const pullText = await pull.textContent();
    assert.match(pullText, /curated-packages-policy, statement ECRRead/);
    assert.match(pullText, /curated-packages-policy, statement ECRLogin/);
    assert.match(pullText, /subscription 'packages' \(.+\) is ACTIVE/);
    assert.equal(await S.page.locator(".chain-diagram svg .edge").count(), 2);
    await shoot("access-chain-source");
    await signOut();
  });

  step("steps 4 and 5 as 999999999999: the assume-role policy, the user and its access key", async () => {
    await signIn(S.root[DST].id, S.root[DST].secret);
    // Create a policy to assume the IAM role.
    await nav("Policies").click();
    await waitHeading("Policies");
    await S.page.getByRole("link", { name: "Create policy" }).click();
    await waitHeading("Specify permissions");
    await S.page.getByRole("button", { name: "JSON" }).click();
    await pasteIntoEditor(specAssume);
    await S.page.locator(".validation", { hasText: "Valid identity policy: 1 statement(s)" }).waitFor();
    await S.page.getByRole("button", { name: "Next" }).click();
    await waitHeading("Review and create");
    await S.page.getByLabel("Policy name").fill("curated-packages-assume-role-policy");
    await S.page.getByRole("button", { name: "Create policy" }).click();
    await S.page.getByText("Policy curated-packages-assume-role-policy created.").waitFor();
    // Create an IAM user to assume the IAM role.
    await nav("Users").click();
    await waitHeading("Users");
    await S.page.getByRole("link", { name: "Create user" }).click();
    await waitHeading("Specify user details");
    await S.page.getByLabel("User name").fill("curated-packages-user");
    await shoot("user-details");
    await S.page.getByRole("button", { name: "Next" }).click();
    await waitHeading("Set permissions");
    assert.ok(await S.page.getByLabel("Attach policies directly").isChecked());
    await S.page.getByLabel("Search").fill("assume");
    await S.page.getByLabel("Select curated-packages-assume-role-policy").check();
    await shoot("user-permissions");
    await S.page.getByRole("button", { name: "Next" }).click();
    await waitHeading("Review and create");
    await shoot("user-review");
    await S.page.getByRole("button", { name: "Create user" }).click();
    await waitHeading("curated-packages-user");
    await S.page.getByRole("link", { name: "curated-packages-assume-role-policy" }).waitFor();
    await shoot("user-detail");
    // Step 5: Create access key under Access key 1.
    await S.page.locator(".details").getByRole("link", { name: "Create access key" }).click();
    await waitHeading("Access key best practices & alternatives");
    await S.page.getByLabel("Command Line Interface (CLI)").check();
    await S.page.getByLabel("I understand the above recommendation and want to proceed to create an access key.").check();
    await shoot("access-key-use-case");
    await S.page.getByRole("button", { name: "Next" }).click();
    await waitHeading("Set description tag - optional");
    await shoot("access-key-description");
    await S.page.getByRole("button", { name: "Create access key" }).click();
    await waitHeading("Retrieve access keys");
    // Copy the Access key and Secret access key with the page's buttons.
    await S.page.getByRole("button", { name: "Copy access key" }).click();
    const akid = await S.page.evaluate(() => navigator.clipboard.readText());
    await S.page.getByRole("button", { name: "Copy secret access key" }).click();
    const secret = await S.page.evaluate(() => navigator.clipboard.readText());
    assert.match(akid, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(secret.length, 40);
    assert.equal(await S.page.locator("#access-key-id").textContent(), akid);
    assert.ok(!(await S.page.content()).includes(secret), "the secret is masked until shown");
    await shoot("access-key-retrieve");
    await S.page.getByRole("button", { name: "Show" }).click();
    assert.equal(await S.page.locator("#secret-access-key").textContent(), secret);
    S.key = { akid, secret };
    await S.page.getByRole("button", { name: "Done" }).click();
    await waitHeading("curated-packages-user");
    assert.ok(!(await S.page.content()).includes(secret), "the secret is gone after Done");
    await S.page.locator(".details code", { hasText: akid }).waitFor();
  });

  step("the spec's config file with the copied key: the AWS CLI assumes the role and skopeo pulls the bundle", async () => {
    const config = join(S.tmp, "config");
    writeFileSync(
      config,
      [
        "[default]",
        "source_profile=curated-packages-user",
        `role_arn=${ROLE_ARN}`,
        `region=${REGION}`,
        "",
        "[profile curated-packages-user]",
        `aws_access_key_id=${S.key.akid}`,
        `aws_secret_access_key=${S.key.secret}`,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const env = scrubbedEnv({ AWS_CONFIG_FILE: config, AWS_ENDPOINT_URL: S.url, AWS_SHARED_CREDENTIALS_FILE: join(S.tmp, "none") });
    const who = await run(PYTHON, ["-m", "awscli", "sts", "get-caller-identity", "--output", "json"], { env });
    const arn = JSON.parse(who.stdout).Arn;
    assert.match(arn, new RegExp(`^arn:aws:sts::${SRC}:assumed-role/curated-packages-role/`));
    const pw = (await run(PYTHON, ["-m", "awscli", "ecr", "get-login-password"], { env })).stdout.trim();
    assert.ok(pw.length > 20);
    const hosts = join(S.tmp, "hosts");
    writeFileSync(hosts, `127.0.0.1 localhost\n::1 localhost\n127.0.0.1 ${PACKAGES}.dkr.ecr.${REGION}.localhost\n`);
    const repo = `docker://${PACKAGES}.dkr.ecr.${REGION}.localhost:${S.port}/eks-anywhere-packages-bundles`;
    const skopeo = (...args) => run(WITH_HOSTS, [hosts, "skopeo", "--insecure-policy", ...args, "--tls-verify=false", "--creds", "AWS:" + pw], { env });
    const tags = JSON.parse((await skopeo("list-tags", repo)).stdout).Tags.filter((t) => t.endsWith("-latest")).sort();
    assert.ok(tags.length > 0);
    const dir = join(S.tmp, "bundle");
    await run(WITH_HOSTS, [hosts, "skopeo", "--insecure-policy", "copy", "--src-tls-verify=false", "--src-creds", "AWS:" + pw, `${repo}:${tags.at(-1)}`, "dir:" + dir], { env });
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    assert.equal(manifest.schemaVersion, 2);
    assert.ok(manifest.layers.length > 0, "the bundle has its layer");
    S.config = readFileSync(config, "utf8");
  });

  step("the receiving side's access chain and the cpa doctor check of the config file", async () => {
    await nav("Access chain").click();
    await waitHeading("Access chain");
    await S.page.getByLabel("Role name or ARN").fill(ROLE_ARN);
    await S.page.getByRole("button", { name: "Show access chain" }).click();
    const edge = S.page.locator("#chain-edges > li", { hasText: "user curated-packages-user (999999999999) → role curated-packages-role" });
    await edge.waitFor();
    assert.equal(await edge.getAttribute("data-status"), "unknown");
    assert.match(await edge.textContent(), /curated-packages-assume-role-policy/);
    await S.page.locator("#chain-notes", { hasText: "cannot read" }).waitFor();
    // The check: every link of the written file holds.
    await S.page.getByLabel("AWS config file").fill(S.config);
    await S.page.getByRole("button", { name: "Run check" }).click();
    await S.page.getByRole("heading", { name: "All links hold." }).waitFor();
    const links = S.page.locator("#check-links > li");
    assert.deepEqual(await links.evaluateAll((ls) => ls.map((l) => [l.dataset.link, l.dataset.status])), [
      ["file", "ok"],
      ["region", "ok"],
      ["key", "ok"],
      ["assume-role", "ok"],
      ["ecr-token", "ok"],
      ["registry", "ok"],
    ]);
    assert.match(await links.last().textContent(), /bundle v1-\d+-latest/);
    await shoot("access-chain-receiving");
    // A wrong secret breaks the key link, and the links after it are skipped.
    await S.page.getByLabel("AWS config file").fill(S.config.replace(/aws_secret_access_key=.*/, "aws_secret_access_key=" + "x".repeat(40)));
    await S.page.getByRole("button", { name: "Run check" }).click();
    await S.page.getByRole("heading", { name: "The chain is broken." }).waitFor();
    assert.equal(await links.nth(2).getAttribute("data-status"), "fail");
    assert.match(await links.nth(2).textContent(), /the secret access key is wrong/);
    assert.equal(await links.nth(3).getAttribute("data-status"), "skipped");
  });

  step("the user of step 4 signed in: AccessDenied for what its policy does not allow", async () => {
    await signOut();
    await signIn(S.key.akid, S.key.secret);
    assert.equal(await S.page.locator(".who .principal").textContent(), `arn:aws:iam::${DST}:user/curated-packages-user`);
    await nav("Roles").click();
    await S.page.getByRole("alert").filter({ hasText: "AccessDenied" }).filter({ hasText: "iam:ListRoles" }).waitFor();
    await shoot("roles-access-denied");
    await S.page.goto(S.url + "/console/#/roles/create");
    await waitHeading("Select trusted entity");
    await S.page.getByLabel("Custom trust policy").check();
    await pasteIntoEditor(specTrust);
    await S.page.locator(".validation", { hasText: "Valid trust policy" }).waitFor();
    await S.page.getByRole("button", { name: "Next" }).click();
    await waitHeading("Add permissions");
    await S.page.getByRole("alert").filter({ hasText: "iam:ListPolicies" }).waitFor();
    await S.page.getByRole("button", { name: "Next" }).click();
    await waitHeading("Name, review, and create");
    await S.page.getByLabel("Role name").fill("not-allowed-role");
    await S.page.getByRole("button", { name: "Create role" }).click();
    const denied = S.page.getByRole("alert").filter({ hasText: "AccessDenied" });
    await denied.waitFor();
    assert.match(
      await denied.textContent(),
      new RegExp(`User: arn:aws:iam::${DST}:user/curated-packages-user is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${DST}:role/not-allowed-role`),
    );
    await shoot("create-role-access-denied");
  });

  step("refuses state changes without the CSRF token or from another origin", async () => {
    await signOut();
    await signIn(S.root[DST].id, S.root[DST].secret);
    const none = await consoleApi("iam/CreateUser", { UserName: "csrf-victim" }, { token: null });
    assert.equal(none.status, 403);
    assert.equal(none.body.error.code, "InvalidCsrfToken");
    const wrong = await consoleApi("iam/CreateUser", { UserName: "csrf-victim" }, { token: "0".repeat(64) });
    assert.equal(wrong.status, 403);
    const signOutWithout = await consoleApi("sign-out", {}, { token: null });
    assert.equal(signOutWithout.status, 403);
    // A form post from elsewhere: no JSON content type.
    const form = await S.page.evaluate(async () => {
      const r = await fetch("/console/api/iam/CreateUser", { method: "POST", body: "UserName=csrf-victim", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
      return r.status;
    });
    assert.equal(form, 415);
    // Another origin, with the cookie and the right token (as a compromised page elsewhere might).
    const cookie = (await S.context.cookies()).find((c) => c.name === "cpa_console");
    const token = (await S.page.evaluate(async () => (await fetch("/console/api/session")).json())).csrfToken;
    const cross = await fetch(S.url + "/console/api/iam/CreateUser", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token, Cookie: `cpa_console=${cookie.value}`, Origin: "http://evil.example" },
      body: JSON.stringify({ UserName: "csrf-victim" }),
    });
    assert.equal(cross.status, 403);
    assert.equal((await cross.json()).error.code, "InvalidOrigin");
    const users = await consoleApi("iam/ListUsers", {});
    assert.equal(users.status, 200);
    assert.deepEqual(users.body.result.Users.map((u) => u.UserName), ["curated-packages-user"]);
    // With the token, the same call works (the refusals were the token's doing).
    const ok = await consoleApi("iam/GetUser", { UserName: "curated-packages-user" });
    assert.equal(ok.status, 200);
    // Signing out ends the session on the server, not only in the browser.
    await signOut();
    const after = await fetch(S.url + "/console/api/iam/ListUsers", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token, Cookie: `cpa_console=${cookie.value}` },
      body: "{}",
    });
    assert.equal(after.status, 401);
  });
});
