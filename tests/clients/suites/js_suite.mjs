#!/usr/bin/env node
// AWS SDK for JavaScript v3 suite: the spec's steps 2-6 and the negative cases with
// @aws-sdk/client-iam, @aws-sdk/client-sts and @aws-sdk/credential-providers (fromIni), as pinned
// in ../package.json. Same sequence, names and checks as _scenario.py (the Python suites); the
// request data comes from spec_documents.json. Keep the two in step.
//
//   node js_suite.mjs --endpoint URL --root-credentials FILE --scratch DIR [--packages-account ID]
//                     [--region R] [--expect-enforcement] [--clock-advance-url URL]
//                     [--shift-client-clock] [--keep-going] [--cases a,b] [--keep]
//
// Root credentials: fromIni({profile: "account-<id>", filepath: <root-credentials>}).
// Step 6: process.env holds only AWS_CONFIG_FILE (the spec's file), AWS_ENDPOINT_URL, HOME and
// AWS_EC2_METADATA_DISABLED; new STSClient({credentials: fromIni()}) with no other configuration
// (region from the file's default profile, endpoint from AWS_ENDPOINT_URL for both the outer client
// and fromIni's inner STS client).
// Never prints secrets.

import { readFileSync, writeFileSync, mkdirSync, openSync, closeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";

import {
  IAMClient, CreatePolicyCommand, DeletePolicyCommand, CreateRoleCommand, DeleteRoleCommand,
  AttachRolePolicyCommand, DetachRolePolicyCommand, GetRoleCommand, ListAttachedRolePoliciesCommand,
  GetPolicyCommand, GetPolicyVersionCommand, CreateUserCommand, DeleteUserCommand,
  AttachUserPolicyCommand, DetachUserPolicyCommand, ListAttachedUserPoliciesCommand,
  CreateAccessKeyCommand, DeleteAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-providers";

const HERE = dirname(fileURLToPath(import.meta.url));
const docs = JSON.parse(readFileSync(join(HERE, "spec_documents.json"), "utf8"));
const require = createRequire(import.meta.url);
const sdkVersion = (p) => { try { return require(`${p}/package.json`).version; } catch { return "?"; } };

const NEGATIVE_CASES = {
  "no-assume-policy": "a user of 999999999999 without the assume-role policy cannot assume the role",
  "untrusted-account": "a user of 111111111111 (not trusted by the role) with an allow policy cannot assume it",
  "third-account": "a user of a third account with an allow policy cannot assume the role",
  "root-assume": "the root user of 999999999999 cannot call AssumeRole",
  "tampered-signature": "a request signed with a wrong secret is rejected",
  "old-date": "a request signed 25 minutes ago is rejected",
  "deleted-key": "a deleted access key is rejected",
  "expired-session": "a session used after its expiry is rejected",
};

// ---------------------------------------------------------------- arguments and environment

const { values: opt } = parseArgs({
  options: {
    endpoint: { type: "string" }, "root-credentials": { type: "string" }, scratch: { type: "string" },
    "packages-account": { type: "string", default: docs.default_packages_account },
    region: { type: "string", default: docs.region },
    "expect-enforcement": { type: "boolean", default: false },
    "clock-advance-url": { type: "string" }, "shift-client-clock": { type: "boolean", default: false },
    "keep-going": { type: "boolean", default: false }, cases: { type: "string" },
    keep: { type: "boolean", default: false }, help: { type: "boolean", default: false },
  },
});
const usage = "usage: js_suite.mjs --endpoint URL --root-credentials FILE --scratch DIR [--packages-account ID] " +
  "[--region R] [--expect-enforcement] [--clock-advance-url URL] [--shift-client-clock] [--keep-going] [--cases a,b] [--keep]";
if (opt.help) { console.log(usage); process.exit(0); }
for (const k of ["endpoint", "root-credentials", "scratch"]) {
  if (!opt[k]) { console.error(`missing --${k}\n${usage}`); process.exit(2); }
}
const endpoint = opt.endpoint.replace(/\/+$/, "");
if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(endpoint).hostname)) {
  console.error("--endpoint must be on loopback"); process.exit(2);
}
if (!/^\d{12}$/.test(opt["packages-account"])) { console.error("--packages-account must be 12 digits"); process.exit(2); }
const cases = new Set(opt.cases ? opt.cases.split(",") : Object.keys(NEGATIVE_CASES));
for (const c of cases) if (!(c in NEGATIVE_CASES)) { console.error(`unknown case ${c}`); process.exit(2); }
const region = opt.region;
const scratch = resolve(opt.scratch);
const rootCredentialsFile = resolve(opt["root-credentials"]);
mkdirSync(join(scratch, "home"), { recursive: true });

function writePrivate(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}
const emptyConfig = writePrivate(join(scratch, "empty-config"), "");

// The process environment, scrubbed: nothing AWS_* or proxy-related from the machine.
function scrubEnv(extra = {}) {
  for (const k of Object.keys(process.env)) {
    if (k.startsWith("AWS_") || ["http_proxy", "https_proxy", "all_proxy", "no_proxy"].includes(k.toLowerCase())) {
      delete process.env[k];
    }
  }
  Object.assign(process.env, {
    AWS_EC2_METADATA_DISABLED: "true", NO_PROXY: "127.0.0.1,localhost,::1",
    HOME: join(scratch, "home"), AWS_CONFIG_FILE: emptyConfig,
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, "home", "no-credentials"),
  }, extra);
}
scrubEnv();

const log = (m) => console.log(`[js] ${m}`);
const mask = (k) => (k ? `${k.slice(0, 4)}...${k.slice(-4)}` : "<none>");

// ---------------------------------------------------------------- credentials and calls

function readRootCredentials(path) {
  const text = readFileSync(path, "utf8");
  const out = {};
  for (const m of text.matchAll(/^\s*\[\s*account-(\d{12})\s*\]/gm)) {
    const acct = m[1];
    out[acct] = {
      label: `root of ${acct}`,
      provider: fromIni({ profile: `account-${acct}`, filepath: path, configFilepath: emptyConfig }),
    };
  }
  return out;
}

function keyCreds(label, accessKeyId, secretAccessKey, sessionToken) {
  return { label, accessKeyId, secretAccessKey, sessionToken,
           provider: async () => ({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }) };
}

class AwsError extends Error {
  constructor(code, message, status) {
    super(`${code}: ${message}${status ? ` (HTTP ${status})` : ""}`);
    this.code = code; this.msg = message; this.status = status;
  }
}
class StepFailed extends Error {
  constructor(step, error) { super(`${step}: ${error}`); this.step = step; this.error = error; }
}

// The wire error code: modelled exceptions carry it in Code (copied from the body); unmodelled
// ones (AccessDenied, SignatureDoesNotMatch, ...) are named after it.
function toAwsError(e) {
  if (!e || !e.$metadata) return e;
  const code = e.Code ?? e.Error?.Code ?? e.name;
  return new AwsError(code, e.message, e.$metadata.httpStatusCode);
}

function clientConfig(creds, extra = {}) {
  return { endpoint, region, credentials: creds.provider, ...extra };
}

async function send(Client, creds, command, extra = {}) {
  const client = new Client(clientConfig(creds, extra));
  try {
    return await client.send(command);
  } catch (e) {
    throw toAwsError(e);
  } finally {
    client.destroy();
  }
}
const iam = (creds, command) => send(IAMClient, creds, command);
const sts = (creds, command, extra) => send(STSClient, creds, command, extra);

function decodeDocument(doc) {
  if (typeof doc !== "string") return doc;
  const text = /^\s*[{[]/.test(doc) ? doc : decodeURIComponent(doc.replace(/\+/g, "%20"));
  return JSON.parse(text);
}

function deepEqual(a, b) { return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b)); }
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}
function check(cond, what) { if (!cond) throw new Error(what); }

// ---------------------------------------------------------------- the run

const teardown = [];
const failures = [];
const onTeardown = (what, fn) => teardown.push([what, fn]);

async function runTeardown() {
  if (opt.keep) { log("teardown skipped (--keep)"); return; }
  while (teardown.length) {
    const [what, fn] = teardown.pop();
    try { await fn(); log(`  teardown: ${what}`); } catch (e) { log(`  teardown: ${what} failed: ${e.message}`); }
  }
}

async function step(name, fn) {
  log(`STEP ${name}`);
  let r;
  try {
    r = await fn();
  } catch (e) {
    if (e instanceof StepFailed) throw e;
    throw new StepFailed(name, e instanceof AwsError ? `client error ${e.message}` : `${e.name}: ${e.message}`);
  }
  log(`  ok   ${name}`);
  return r;
}

async function createPolicy(creds, name, text) {
  const out = await iam(creds, new CreatePolicyCommand({ PolicyName: name, PolicyDocument: text }));
  const arn = out.Policy.Arn;
  onTeardown(`delete policy ${name}`, () => iam(creds, new DeletePolicyCommand({ PolicyArn: arn })));
  return arn;
}
async function createUser(creds, name) {
  const out = await iam(creds, new CreateUserCommand({ UserName: name }));
  onTeardown(`delete user ${name}`, () => iam(creds, new DeleteUserCommand({ UserName: name })));
  return out.User.Arn;
}
async function attachUserPolicy(creds, user, arn) {
  await iam(creds, new AttachUserPolicyCommand({ UserName: user, PolicyArn: arn }));
  onTeardown(`detach ${arn} from user ${user}`,
    () => iam(creds, new DetachUserPolicyCommand({ UserName: user, PolicyArn: arn })));
}
async function createAccessKey(creds, user, label, register = true) {
  const key = (await iam(creds, new CreateAccessKeyCommand({ UserName: user }))).AccessKey;
  check(key.UserName === user, `CreateAccessKey UserName ${key.UserName}`);
  check(key.Status === "Active", `CreateAccessKey Status ${key.Status}`);
  check(!!key.SecretAccessKey, "CreateAccessKey returned no SecretAccessKey");
  const kid = key.AccessKeyId;
  if (register) {
    onTeardown(`delete access key ${mask(kid)} of ${user}`,
      () => iam(creds, new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: kid })));
  }
  log(`  access key ${mask(kid)} for ${user}`);
  return keyCreds(label, kid, key.SecretAccessKey);
}
async function expectIdentity(creds, account, arnRegex, extra) {
  const out = await sts(creds, new GetCallerIdentityCommand({}), extra);
  log(`  GetCallerIdentity as ${creds.label}: ${out.Arn}`);
  check(out.Account === account, `Account ${out.Account}, expected ${account}`);
  if (arnRegex) check(new RegExp(arnRegex).test(out.Arn ?? ""), `Arn ${out.Arn} !~ ${arnRegex}`);
  return out;
}

function step6ConfigText(accessKeyId, secret) {
  return docs.config_file.text
    .replace("region=region-code", `region=${region}`)
    .replace("AKIAIOSFODNN7EXAMPLE", accessKeyId)
    .replace("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", secret);
}

async function advanceClock(url, seconds) {
  const u = new URL(url);
  if (u.pathname === "/" || u.pathname === "") u.pathname = "/_cpa/test/advance-clock";
  u.searchParams.set("seconds", String(seconds));
  const r = await fetch(u, { method: "POST" });
  if (!r.ok) throw new Error(`clock advance answered HTTP ${r.status}`);
  return `${u.origin}${u.pathname}`;
}

async function main() {
  const SRC = docs.source_account, DST = docs.destination_account, exp = docs.expected, neg = docs.negative;
  const roots = readRootCredentials(rootCredentialsFile);
  for (const a of [SRC, DST]) {
    if (!roots[a]) throw new StepFailed("root credentials", `no profile account-${a} in ${rootCredentialsFile}`);
  }
  const rSrc = roots[SRC], rDst = roots[DST];
  log(`driver AWS SDK for JavaScript v3: client-iam ${sdkVersion("@aws-sdk/client-iam")}, client-sts ` +
      `${sdkVersion("@aws-sdk/client-sts")}, credential-providers ${sdkVersion("@aws-sdk/credential-providers")}` +
      ` (node ${process.version}); endpoint ${endpoint}; region ${region}; packages account ` +
      `${opt["packages-account"]}; enforcement ${opt["expect-enforcement"] ? "expected" : "not expected"}`);

  await step("preflight: root credentials name their accounts", async () => {
    for (const a of [SRC, DST]) await expectIdentity(roots[a], a);
  });

  // Step 2 (111111111111)
  const pol = docs.ecr_read_policy;
  const polText = pol.document.split(docs.packages_account_placeholder).join(opt["packages-account"]);
  const polArn = await step("2 create-policy curated-packages-policy (as 111111111111)", async () => {
    const arn = await createPolicy(rSrc, pol.name, polText);
    check(arn === exp.policy_arn, `policy ARN ${arn}`);
    return arn;
  });

  // Step 3 (111111111111)
  const role = docs.role;
  await step("3 create-role curated-packages-role (as 111111111111)", async () => {
    const out = await iam(rSrc, new CreateRoleCommand({ RoleName: role.name, AssumeRolePolicyDocument: role.trust_policy }));
    onTeardown(`delete role ${role.name}`, () => iam(rSrc, new DeleteRoleCommand({ RoleName: role.name })));
    check(out.Role.Arn === exp.role_arn, `role ARN ${out.Role.Arn}`);
  });
  await step("3 attach-role-policy (as 111111111111)", async () => {
    await iam(rSrc, new AttachRolePolicyCommand({ RoleName: role.name, PolicyArn: polArn }));
    onTeardown(`detach ${pol.name} from ${role.name}`,
      () => iam(rSrc, new DetachRolePolicyCommand({ RoleName: role.name, PolicyArn: polArn })));
  });
  await step("3 verify: role, trust policy and attached policy read back (as 111111111111)", async () => {
    const got = (await iam(rSrc, new GetRoleCommand({ RoleName: role.name }))).Role;
    // JS hands back the URL-encoded text as IAM sends it.
    check(deepEqual(decodeDocument(got.AssumeRolePolicyDocument), JSON.parse(role.trust_policy)),
      `trust policy read back differs: ${got.AssumeRolePolicyDocument}`);
    const att = (await iam(rSrc, new ListAttachedRolePoliciesCommand({ RoleName: role.name }))).AttachedPolicies;
    check(att.length === 1 && att[0].PolicyArn === polArn, `attached policies ${JSON.stringify(att)}`);
    const ver = (await iam(rSrc, new GetPolicyCommand({ PolicyArn: polArn }))).Policy.DefaultVersionId;
    const doc = (await iam(rSrc, new GetPolicyVersionCommand({ PolicyArn: polArn, VersionId: ver }))).PolicyVersion.Document;
    check(deepEqual(decodeDocument(doc), JSON.parse(polText)), "policy document read back differs");
  });

  // Step 4 (999999999999)
  const arp = docs.assume_role_policy, user = docs.user.name;
  await step("4 create-policy curated-packages-assume-role-policy, create-user, attach (as 999999999999)", async () => {
    const arn = await createPolicy(rDst, arp.name, arp.document);
    check(arn === exp.assume_role_policy_arn, `policy ARN ${arn}`);
    const uarn = await createUser(rDst, user);
    check(uarn === exp.user_arn, `user ARN ${uarn}`);
    await attachUserPolicy(rDst, user, arn);
    const att = (await iam(rDst, new ListAttachedUserPoliciesCommand({ UserName: user }))).AttachedPolicies;
    check(att.length === 1 && att[0].PolicyArn === arn, `attached policies ${JSON.stringify(att)}`);
  });

  // Step 5 (999999999999)
  const userCreds = await step("5 create-access-key for curated-packages-user (as 999999999999)",
    () => createAccessKey(rDst, user, "curated-packages-user"));
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  await step("5 verify: the new key names the user",
    () => expectIdentity(userCreds, DST, `^${escape(exp.user_arn)}$`));

  // Step 6: the spec's config file, fromIni() and nothing else.
  const cfgDir = join(scratch, "step6");
  const cfg = writePrivate(join(cfgDir, "config"), step6ConfigText(userCreds.accessKeyId, userCreds.secretAccessKey));
  await step("6 sts get-caller-identity through the step-6 config file (fromIni)", async () => {
    const saved = { ...process.env };
    scrubEnv();
    delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    Object.assign(process.env, { AWS_CONFIG_FILE: cfg, AWS_ENDPOINT_URL: endpoint, HOME: cfgDir });
    let out;
    const client = new STSClient({ credentials: fromIni() });
    try {
      out = await client.send(new GetCallerIdentityCommand({}));
    } catch (e) {
      throw toAwsError(e);
    } finally {
      client.destroy();
      for (const k of Object.keys(process.env)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    log(`  GetCallerIdentity through the step-6 config: ${out.Arn}`);
    check(out.Account === SRC, `Account ${out.Account}`);
    check(new RegExp(exp.assumed_role_arn_regex).test(out.Arn ?? ""), `Arn ${out.Arn} is not the assumed role`);
  });

  await step("6b sts assume-role as curated-packages-user, get-caller-identity with the session", async () => {
    const out = await sts(userCreds, new AssumeRoleCommand({ RoleArn: exp.role_arn, RoleSessionName: neg.session_name }));
    const c = out.Credentials;
    check(c.AccessKeyId && c.SecretAccessKey && c.SessionToken, "incomplete Credentials");
    check(out.AssumedRoleUser.Arn === `arn:aws:sts::${SRC}:assumed-role/${role.name}/${neg.session_name}`,
      `AssumedRoleUser ${JSON.stringify(out.AssumedRoleUser)}`);
    await expectIdentity(keyCreds("assumed role session", c.AccessKeyId, c.SecretAccessKey, c.SessionToken),
      SRC, exp.assumed_role_arn_regex);
  });

  await negatives(roots, rSrc, rDst, userCreds);
}

// ---------------------------------------------------------------- negative cases

async function negative(name, expected, fn, skip) {
  const title = `negative ${name}: ${NEGATIVE_CASES[name]} -> ${expected.join(" or ")}`;
  if (!cases.has(name)) return;
  if (!opt["expect-enforcement"]) {
    log(`SKIP ${title}: the endpoint is not expected to enforce (no --expect-enforcement)`);
    return;
  }
  if (skip) { log(`SKIP ${title}: ${skip}`); return; }
  log(`STEP ${title}`);
  let err;
  try {
    await fn();
    err = "the call succeeded";
  } catch (e) {
    if (e instanceof AwsError && expected.includes(e.code)) {
      log(`  ok   ${name}: ${e.code} (HTTP ${e.status ?? "?"}): ${e.msg}`);
      return;
    }
    err = e instanceof AwsError ? `got ${e.code} (HTTP ${e.status ?? "?"}): ${e.msg}`
      : e instanceof StepFailed ? String(e.error) : `${e.name}: ${e.message}`;
  }
  if (opt["keep-going"]) { log(`  FAIL ${name}: ${err}`); failures.push(name); } else throw new StepFailed(`negative ${name}`, err);
}

async function negatives(roots, rSrc, rDst, userCreds) {
  const SRC = docs.source_account, DST = docs.destination_account, neg = docs.negative, exp = docs.expected;
  const on = opt["expect-enforcement"];
  // One attempt: what the server answered, not what a retry made of it.
  const once = { maxAttempts: 1 };
  const assume = (creds) => () => sts(creds, new AssumeRoleCommand({ RoleArn: exp.role_arn, RoleSessionName: neg.session_name }), once);

  const npUser = neg.user_without_policy.name;
  let npCreds = null;
  if (on && (cases.has("no-assume-policy") || cases.has("deleted-key"))) {
    npCreds = await step(`negative set-up: user ${npUser} without policy (as ${DST})`, async () => {
      await createUser(rDst, npUser);
      return createAccessKey(rDst, npUser, npUser);
    });
  }
  await negative("no-assume-policy", ["AccessDenied"], npCreds && assume(npCreds));

  const ut = neg.untrusted_user;
  let utCreds = null;
  if (on && cases.has("untrusted-account")) {
    utCreds = await step(`negative set-up: user ${ut.name} allowed sts:AssumeRole (as ${SRC})`, async () => {
      const arn = await createPolicy(rSrc, ut.policy_name, ut.document);
      await createUser(rSrc, ut.name);
      await attachUserPolicy(rSrc, ut.name, arn);
      return createAccessKey(rSrc, ut.name, ut.name);
    });
  }
  await negative("untrusted-account", ["AccessDenied"], utCreds && assume(utCreds));

  const third = Object.keys(roots).filter((a) => a !== SRC && a !== DST).sort();
  let thCreds = null;
  if (on && third.length && cases.has("third-account")) {
    const t = third[0], th = neg.third_account_user;
    thCreds = await step(`negative set-up: user in third account ${t} with the spec's assume-role policy`, async () => {
      const arn = await createPolicy(roots[t], th.policy_name, docs.assume_role_policy.document);
      await createUser(roots[t], th.name);
      await attachUserPolicy(roots[t], th.name, arn);
      return createAccessKey(roots[t], th.name, th.name);
    });
  }
  await negative("third-account", ["AccessDenied"], thCreds && assume(thCreds),
    third.length ? null : "the root-credentials file has no third account-<id> profile");

  await negative("root-assume", ["AccessDenied"], assume(rDst));

  await negative("tampered-signature", ["SignatureDoesNotMatch"], () =>
    sts(keyCreds("user key, wrong secret", userCreds.accessKeyId, neg.wrong_secret), new GetCallerIdentityCommand({}), once));

  // systemClockOffset makes the SDK sign 25 minutes in the past: the server must refuse it. The
  // SDK then takes the server's time from the error's Date header and corrects the client's
  // offset (it retries at once only when the machine clock itself is off by 4+ minutes, which is
  // not the case here), so the next call on the same client must succeed: that checks the Date
  // header the server sends with the error.
  await negative("old-date", ["SignatureDoesNotMatch", "RequestExpired"], async () => {
    const client = new STSClient(clientConfig(userCreds, { ...once, systemClockOffset: neg.old_date_offset_seconds * 1000 }));
    try {
      await client.send(new GetCallerIdentityCommand({}));
    } catch (raw) {
      const e = toAwsError(raw);
      if (e instanceof AwsError && ["SignatureDoesNotMatch", "RequestExpired"].includes(e.code)) {
        const out = await client.send(new GetCallerIdentityCommand({})).catch((e2) => {
          throw new StepFailed("old-date", `${e.code}, but the next call on the same client still failed (is the Date header right?): ${e2.message}`);
        });
        log(`  the SDK corrected its clock from the Date header; the next call succeeded: ${out.Arn}`);
      }
      throw e;
    } finally {
      client.destroy();
    }
  });

  let dkCreds = null;
  if (on && npCreds && cases.has("deleted-key")) {
    dkCreds = await step(`negative set-up: create and delete a second key of ${npUser}`, async () => {
      const c = await createAccessKey(rDst, npUser, "deleted key", false);
      await iam(rDst, new DeleteAccessKeyCommand({ UserName: npUser, AccessKeyId: c.accessKeyId }));
      return c;
    });
  }
  await negative("deleted-key", ["InvalidClientTokenId"], dkCreds && (() => sts(dkCreds, new GetCallerIdentityCommand({}), once)));

  const es = neg.expired_session;
  if (!opt["clock-advance-url"]) {
    await negative("expired-session", ["ExpiredToken"], null, "requires server clock control (--clock-advance-url)");
    return;
  }
  let session = null;
  if (on && cases.has("expired-session")) {
    session = await step(`negative set-up: AssumeRole DurationSeconds=${es.duration_seconds}, advance the server clock ${es.advance_seconds} s`, async () => {
      const out = await sts(userCreds, new AssumeRoleCommand({ RoleArn: exp.role_arn, RoleSessionName: neg.session_name, DurationSeconds: es.duration_seconds }));
      const c = out.Credentials;
      const s = keyCreds("900 s session", c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
      await expectIdentity(s, SRC, exp.assumed_role_arn_regex);
      const url = await advanceClock(opt["clock-advance-url"], es.advance_seconds);
      log(`  advanced the server clock by ${es.advance_seconds} s (${url})`);
      return s;
    });
  }
  const offset = opt["shift-client-clock"] ? es.advance_seconds * 1000 : 0;
  await negative("expired-session", ["ExpiredToken"], session && (() =>
    sts(session, new GetCallerIdentityCommand({}), { ...once, systemClockOffset: offset })));
}

// ---------------------------------------------------------------- entry

let rc = 0;
try {
  await main();
  if (failures.length) { log(`FAIL negative cases: ${failures.join(", ")}`); rc = 1; }
} catch (e) {
  if (e instanceof StepFailed) log(`FAIL ${e.step}: ${e.error}`);
  else { console.error(e); log("FAIL (suite error)"); rc = 2; }
  rc = rc || 1;
}
await runTeardown();
if (rc === 0) log("PASS");
process.exit(rc);
