"""The spec's steps 2-6 and the negative cases, written once for the Python suites.

A driver performs one AWS call with its client:
    driver.name
    driver.call(service, operation, creds, params, clock_offset=0) -> dict   (raises AwsError)
        params use the API's member names; documents are passed as text and sent verbatim.
    driver.step6(config_path, home) -> GetCallerIdentity result via the step-6 config file,
        or driver.step6_skip_reason (a string) when the client cannot do it.
The JS suite (js_suite.mjs) implements the same sequence; keep them in step.
"""

import json
import os
import re
import sys
import traceback

from _common import (AwsError, Creds, NEGATIVE_CASES, StepFailed, advance_clock, mask,
                     read_root_credentials, step6_config_text, write_private)


class Suite:
    def __init__(self, driver, args, docs, log):
        self.d = driver
        self.args = args
        self.docs = docs
        self.log = log
        self.teardown = []          # (description, callable), run last-in first-out
        self.failures = []          # negative cases that failed under --keep-going
        self.src = docs["source_account"]
        self.dst = docs["destination_account"]

    # -- helpers -------------------------------------------------------------------------

    def step(self, name, fn):
        self.log(f"STEP {name}")
        try:
            result = fn()
        except StepFailed:
            raise
        except AwsError as e:
            raise StepFailed(name, f"client error {e}")
        except Exception as e:  # noqa: BLE001 - any failure ends the run with the step name
            raise StepFailed(name, f"{type(e).__name__}: {e}")
        self.log(f"  ok   {name}")
        return result

    def check(self, cond, what):
        if not cond:
            raise AssertionError(what)

    def on_teardown(self, what, fn):
        self.teardown.append((what, fn))

    def run_teardown(self):
        if self.args.keep:
            self.log("teardown skipped (--keep)")
            return
        while self.teardown:
            what, fn = self.teardown.pop()
            try:
                fn()
                self.log(f"  teardown: {what}")
            except Exception as e:  # noqa: BLE001 - best effort
                self.log(f"  teardown: {what} failed: {e}")

    def iam(self, creds, op, **params):
        return self.d.call("iam", op, creds, params)

    def sts(self, creds, op, clock_offset=0, **params):
        return self.d.call("sts", op, creds, params, clock_offset=clock_offset)

    def create_policy(self, creds, name, text):
        out = self.iam(creds, "CreatePolicy", PolicyName=name, PolicyDocument=text)
        arn = out["Policy"]["Arn"]
        self.on_teardown(f"delete policy {name}", lambda: self.iam(creds, "DeletePolicy", PolicyArn=arn))
        return arn

    def create_user(self, creds, name):
        out = self.iam(creds, "CreateUser", UserName=name)
        self.on_teardown(f"delete user {name}", lambda: self.iam(creds, "DeleteUser", UserName=name))
        return out["User"]["Arn"]

    def attach_user_policy(self, creds, user, arn):
        self.iam(creds, "AttachUserPolicy", UserName=user, PolicyArn=arn)
        self.on_teardown(f"detach {arn} from user {user}",
                         lambda: self.iam(creds, "DetachUserPolicy", UserName=user, PolicyArn=arn))

    def create_access_key(self, creds, user, label, register=True):
        key = self.iam(creds, "CreateAccessKey", UserName=user)["AccessKey"]
        self.check(key.get("UserName") == user, f"CreateAccessKey UserName {key.get('UserName')!r}")
        self.check(key.get("Status") == "Active", f"CreateAccessKey Status {key.get('Status')!r}")
        self.check(bool(key.get("SecretAccessKey")), "CreateAccessKey returned no SecretAccessKey")
        kid = key["AccessKeyId"]
        if register:
            self.on_teardown(f"delete access key {mask(kid)} of {user}",
                             lambda: self.iam(creds, "DeleteAccessKey", UserName=user, AccessKeyId=kid))
        self.log(f"  access key {mask(kid)} for {user}")
        return Creds(label, kid, key["SecretAccessKey"])

    def expect_identity(self, creds, account, arn_regex=None, clock_offset=0):
        out = self.sts(creds, "GetCallerIdentity", clock_offset=clock_offset)
        self.log(f"  GetCallerIdentity as {creds.label}: {out.get('Arn')}")
        self.check(out.get("Account") == account, f"Account {out.get('Account')!r}, expected {account}")
        if arn_regex:
            self.check(re.match(arn_regex, out.get("Arn", "")), f"Arn {out.get('Arn')!r} !~ {arn_regex}")
        return out

    # -- the run -------------------------------------------------------------------------

    def run(self):
        try:
            self._run()
        except StepFailed as e:
            self.log(f"FAIL {e.step}: {e.error}")
            self.run_teardown()
            return 1
        except Exception:  # a bug in the suite itself
            traceback.print_exc()
            self.log("FAIL (suite error)")
            self.run_teardown()
            return 2
        self.run_teardown()
        if self.failures:
            self.log(f"FAIL negative cases: {', '.join(self.failures)}")
            return 1
        self.log("PASS")
        return 0

    def _run(self):
        a, docs, exp = self.args, self.docs, self.docs["expected"]
        roots = read_root_credentials(a.root_credentials)
        for acct in (self.src, self.dst):
            if acct not in roots:
                raise StepFailed("root credentials", f"no profile account-{acct} in {a.root_credentials}")
        r_src, r_dst = roots[self.src], roots[self.dst]
        self.log(f"driver {self.d.name}; endpoint {a.endpoint}; region {a.region}; packages account "
                 f"{a.packages_account}; enforcement {'expected' if a.expect_enforcement else 'not expected'}")

        self.step("preflight: root credentials name their accounts", lambda: [
            self.expect_identity(roots[x], x) for x in (self.src, self.dst)])

        # Step 2 (111111111111): the ECR read policy.
        pol = docs["ecr_read_policy"]
        pol_text = pol["document"].replace(docs["packages_account_placeholder"], a.packages_account)

        def step2():
            arn = self.create_policy(r_src, pol["name"], pol_text)
            self.check(arn == exp["policy_arn"], f"policy ARN {arn!r}")
            return arn
        pol_arn = self.step("2 create-policy curated-packages-policy (as 111111111111)", step2)

        # Step 3 (111111111111): the role with the spec's trust policy, policy attached.
        role = docs["role"]

        def step3_role():
            out = self.iam(r_src, "CreateRole", RoleName=role["name"],
                           AssumeRolePolicyDocument=role["trust_policy"])
            self.on_teardown(f"delete role {role['name']}",
                             lambda: self.iam(r_src, "DeleteRole", RoleName=role["name"]))
            self.check(out["Role"]["Arn"] == exp["role_arn"], f"role ARN {out['Role']['Arn']!r}")
        self.step("3 create-role curated-packages-role (as 111111111111)", step3_role)

        def step3_attach():
            self.iam(r_src, "AttachRolePolicy", RoleName=role["name"], PolicyArn=pol_arn)
            self.on_teardown(f"detach {pol['name']} from {role['name']}",
                             lambda: self.iam(r_src, "DetachRolePolicy", RoleName=role["name"],
                                              PolicyArn=pol_arn))
        self.step("3 attach-role-policy (as 111111111111)", step3_attach)

        def step3_verify():
            got = self.iam(r_src, "GetRole", RoleName=role["name"])["Role"]
            doc = got["AssumeRolePolicyDocument"]
            if isinstance(doc, str):  # a client that does not decode it
                doc = json.loads(doc)
            self.check(doc == json.loads(role["trust_policy"]), f"trust policy read back differs: {doc}")
            att = self.iam(r_src, "ListAttachedRolePolicies", RoleName=role["name"])["AttachedPolicies"]
            self.check([p["PolicyArn"] for p in att] == [pol_arn], f"attached policies {att}")
            ver = self.iam(r_src, "GetPolicy", PolicyArn=pol_arn)["Policy"]["DefaultVersionId"]
            doc = self.iam(r_src, "GetPolicyVersion", PolicyArn=pol_arn, VersionId=ver)["PolicyVersion"]["Document"]
            if isinstance(doc, str):
                doc = json.loads(doc)
            self.check(doc == json.loads(pol_text), "policy document read back differs")
        self.step("3 verify: role, trust policy and attached policy read back (as 111111111111)", step3_verify)

        # Step 4 (999999999999): the assume-role policy, the user, attached.
        arp, user = docs["assume_role_policy"], docs["user"]["name"]

        def step4():
            arn = self.create_policy(r_dst, arp["name"], arp["document"])
            self.check(arn == exp["assume_role_policy_arn"], f"policy ARN {arn!r}")
            uarn = self.create_user(r_dst, user)
            self.check(uarn == exp["user_arn"], f"user ARN {uarn!r}")
            self.attach_user_policy(r_dst, user, arn)
            att = self.iam(r_dst, "ListAttachedUserPolicies", UserName=user)["AttachedPolicies"]
            self.check([p["PolicyArn"] for p in att] == [arn], f"attached policies {att}")
        self.step("4 create-policy curated-packages-assume-role-policy, create-user, attach (as 999999999999)", step4)

        # Step 5 (999999999999): an access key for the user.
        user_creds = self.step("5 create-access-key for curated-packages-user (as 999999999999)",
                               lambda: self.create_access_key(r_dst, user, "curated-packages-user"))

        self.step("5 verify: the new key names the user",
                  lambda: self.expect_identity(user_creds, self.dst, "^" + re.escape(exp["user_arn"]) + "$"))

        # Step 6: the spec's config file; GetCallerIdentity through it only.
        cfg_dir = os.path.join(a.scratch, "step6")
        cfg = write_private(os.path.join(cfg_dir, "config"), step6_config_text(
            docs, a.region, user_creds.access_key_id, user_creds.secret_access_key))
        if getattr(self.d, "step6_skip_reason", None):
            self.log(f"SKIP 6 config-file role assumption: {self.d.step6_skip_reason}")
        else:
            def step6():
                out = self.d.step6(cfg, cfg_dir)
                self.log(f"  GetCallerIdentity through the step-6 config: {out.get('Arn')}")
                self.check(out.get("Account") == self.src, f"Account {out.get('Account')!r}")
                self.check(re.match(exp["assumed_role_arn_regex"], out.get("Arn", "")),
                           f"Arn {out.get('Arn')!r} is not the assumed role")
            self.step("6 sts get-caller-identity through the step-6 config file", step6)

        neg = self.docs["negative"]
        role_arn = exp["role_arn"]

        def step6b():
            out = self.sts(user_creds, "AssumeRole", RoleArn=role_arn, RoleSessionName=neg["session_name"])
            c = out["Credentials"]
            self.check(c["AccessKeyId"] and c["SecretAccessKey"] and c["SessionToken"], "incomplete Credentials")
            self.check(out["AssumedRoleUser"]["Arn"] ==
                       f"arn:aws:sts::{self.src}:assumed-role/{role['name']}/{neg['session_name']}",
                       f"AssumedRoleUser {out['AssumedRoleUser']}")
            temp = Creds("assumed role session", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
            self.expect_identity(temp, self.src, exp["assumed_role_arn_regex"])
        self.step("6b sts assume-role as curated-packages-user, get-caller-identity with the session", step6b)

        self.negatives(roots, r_src, r_dst, user_creds)

    # -- negative cases ------------------------------------------------------------------

    def negative(self, case, expected_codes, fn, skip=None):
        title = f"negative {case}: {NEGATIVE_CASES[case]} -> {' or '.join(expected_codes)}"
        if case not in self.args.cases:
            return
        if not self.args.expect_enforcement:
            self.log(f"SKIP {title}: the endpoint is not expected to enforce (no --expect-enforcement)")
            return
        if skip:
            self.log(f"SKIP {title}: {skip}")
            return
        self.log(f"STEP {title}")
        try:
            fn()
        except AwsError as e:
            if e.code in expected_codes:
                self.log(f"  ok   {case}: {e.code} (HTTP {e.status or '?'}): {e.message}")
                return
            err = f"got {e.code} (HTTP {e.status or '?'}): {e.message}"
        except StepFailed as e:
            err = str(e.error)
        except Exception as e:  # noqa: BLE001
            err = f"{type(e).__name__}: {e}"
        else:
            err = "the call succeeded"
        if self.args.keep_going:
            self.log(f"  FAIL {case}: {err}")
            self.failures.append(case)
        else:
            raise StepFailed(f"negative {case}", err)

    def setup(self, name, fn):
        """Set-up for a negative case (runs only if enforcement is expected); failures are
        failures of the step."""
        return self.step(name, fn)

    def negatives(self, roots, r_src, r_dst, user_creds):
        a, neg, exp = self.args, self.docs["negative"], self.docs["expected"]
        role_arn = exp["role_arn"]
        on = a.expect_enforcement

        def assume(creds):
            return lambda: self.sts(creds, "AssumeRole", RoleArn=role_arn, RoleSessionName=neg["session_name"])

        np_user = neg["user_without_policy"]["name"]
        np_creds = None
        if on and ({"no-assume-policy", "deleted-key"} & a.cases):
            def mk():
                self.create_user(r_dst, np_user)
                return self.create_access_key(r_dst, np_user, np_user)
            np_creds = self.setup(f"negative set-up: user {np_user} without policy (as {self.dst})", mk)
        self.negative("no-assume-policy", ["AccessDenied"], assume(np_creds) if np_creds else None)

        ut = neg["untrusted_user"]
        ut_creds = None
        if on and "untrusted-account" in a.cases:
            def mk():
                arn = self.create_policy(r_src, ut["policy_name"], ut["document"])
                self.create_user(r_src, ut["name"])
                self.attach_user_policy(r_src, ut["name"], arn)
                return self.create_access_key(r_src, ut["name"], ut["name"])
            ut_creds = self.setup(f"negative set-up: user {ut['name']} allowed sts:AssumeRole (as {self.src})", mk)
        self.negative("untrusted-account", ["AccessDenied"], assume(ut_creds) if ut_creds else None)

        third = sorted(x for x in roots if x not in (self.src, self.dst))
        th_creds = None
        if on and third and "third-account" in a.cases:
            t = third[0]

            def mk():
                th = neg["third_account_user"]
                arn = self.create_policy(roots[t], th["policy_name"], self.docs["assume_role_policy"]["document"])
                self.create_user(roots[t], th["name"])
                self.attach_user_policy(roots[t], th["name"], arn)
                return self.create_access_key(roots[t], th["name"], th["name"])
            th_creds = self.setup(f"negative set-up: user in third account {t} with the spec's assume-role policy", mk)
        self.negative("third-account", ["AccessDenied"], assume(th_creds) if th_creds else None,
                      skip=None if third else "the root-credentials file has no third account-<id> profile")

        self.negative("root-assume", ["AccessDenied"], assume(r_dst))

        self.negative("tampered-signature", ["SignatureDoesNotMatch"],
                      lambda: self.sts(user_creds.with_secret(neg["wrong_secret"], "user key, wrong secret"),
                                       "GetCallerIdentity"))

        self.negative("old-date", ["SignatureDoesNotMatch", "RequestExpired"],
                      lambda: self.sts(user_creds, "GetCallerIdentity",
                                       clock_offset=neg["old_date_offset_seconds"]))

        dk_creds = None
        if on and np_creds and "deleted-key" in a.cases:
            def mk():
                c = self.create_access_key(r_dst, np_user, "deleted key", register=False)
                self.iam(r_dst, "DeleteAccessKey", UserName=np_user, AccessKeyId=c.access_key_id)
                return c
            dk_creds = self.setup("negative set-up: create and delete a second key of " + np_user, mk)
        self.negative("deleted-key", ["InvalidClientTokenId"],
                      (lambda: self.sts(dk_creds, "GetCallerIdentity")) if dk_creds else None)

        es = neg["expired_session"]
        if not a.clock_advance_url:
            self.negative("expired-session", ["ExpiredToken"], None,
                          skip="requires server clock control (--clock-advance-url)")
            return
        session = None
        if on and "expired-session" in a.cases:
            def mk():
                out = self.sts(user_creds, "AssumeRole", RoleArn=role_arn, RoleSessionName=neg["session_name"],
                               DurationSeconds=es["duration_seconds"])
                c = out["Credentials"]
                s = Creds("900 s session", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
                self.expect_identity(s, self.src, exp["assumed_role_arn_regex"])
                url = advance_clock(a.clock_advance_url, es["advance_seconds"])
                self.log(f"  advanced the server clock by {es['advance_seconds']} s ({url})")
                return s
            session = self.setup(f"negative set-up: AssumeRole DurationSeconds={es['duration_seconds']}, "
                                 f"advance the server clock {es['advance_seconds']} s", mk)
        offset = es["advance_seconds"] if a.shift_client_clock else 0
        self.negative("expired-session", ["ExpiredToken"],
                      (lambda: self.sts(session, "GetCallerIdentity", clock_offset=offset)) if session else None)


def main(driver, args, docs, log):
    sys.exit(Suite(driver, args, docs, log).run())
