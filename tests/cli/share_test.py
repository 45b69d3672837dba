#!/usr/bin/env python3
"""`cpa share`, `cpa share rotate-key`, `cpa registries` and `cpa secret` end to end.

Starts `cpa serve --listen 127.0.0.1:0 --data <tmp>` itself (always stopped at the end) and uses
its root credentials file (profiles account-111111111111 and account-999999999999) as the shared
credentials file. The written config file is then used by the AWS CLI v1 (`python3 -m awscli`)
with nothing else configured, and by the JS SDK (fromIni, tests/clients/ecr-token.mjs) to get
registry passwords with which skopeo reads the seeded bundle; drift is made with boto3 as the
accounts' root users. The test re-runs itself in a private mount namespace whose /etc/hosts names
the registry hosts (tests/support/with-private-hosts).

Tests run in name order and share one server: dry run, share, idempotency, drift, rotation.

Usage: share_test.py PATH_TO_CPA
"""
import base64
import configparser
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import unittest

import boto3
import botocore.exceptions
import yaml

CPA = None
SERVER = {}
REGION = "us-west-2"
SRC = "111111111111"
DST = "999999999999"
TABLE_ACCOUNT = "346438352937"  # us-west-2 in the region table
ROLE_ARN = f"arn:aws:iam::{SRC}:role/curated-packages-role"
POLICY_ARN = f"arn:aws:iam::{SRC}:policy/curated-packages-policy"
ASSUME_ARN = f"arn:aws:iam::{DST}:policy/curated-packages-assume-role-policy"
USER = "curated-packages-user"
PACKAGES_HOST = f"{TABLE_ACCOUNT}.dkr.ecr.{REGION}.localhost"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENTS = os.path.join(ROOT, "tests", "clients")
WITH_HOSTS = os.path.join(ROOT, "tests", "support", "with-private-hosts")


def setUpModule():
    tmp = tempfile.mkdtemp(prefix="cpa-share-test-")
    SERVER["tmp"] = tmp
    SERVER["log"] = open(os.path.join(tmp, "server.log"), "w+b")
    data = os.path.join(tmp, "data")
    proc = subprocess.Popen([CPA, "serve", "--listen", "127.0.0.1:0", "--data", data,
                             "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=SERVER["log"], start_new_session=True)
    SERVER["proc"] = proc
    line = proc.stdout.readline().decode()
    m = re.match(r"cpa serve: listening on (http://127\.0\.0\.1:\d+), data ", line)
    if not m:
        tearDownModule()
        raise RuntimeError("no ready line from cpa serve: %r" % line)
    SERVER["url"] = m.group(1)
    SERVER["credentials"] = os.path.join(data, "root-credentials")
    creds = configparser.ConfigParser()
    creds.read(SERVER["credentials"])
    SERVER["root"] = {a: (creds["account-" + a]["aws_access_key_id"],
                          creds["account-" + a]["aws_secret_access_key"]) for a in (SRC, DST)}
    SERVER["home"] = os.path.join(tmp, "home")
    os.makedirs(SERVER["home"])
    SERVER["empty_config"] = os.path.join(tmp, "empty-config")
    open(SERVER["empty_config"], "w").close()
    SERVER["out"] = os.path.join(tmp, "out")


def tearDownModule():
    proc = SERVER.get("proc")
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc is not None and proc.stdout:
        proc.stdout.close()
    if SERVER.get("log"):
        SERVER["log"].close()
    if SERVER.get("tmp"):
        shutil.rmtree(SERVER["tmp"], ignore_errors=True)


def scrubbed_env(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"HOME": SERVER["home"], "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""})
    env.update(extra)
    return env


def cpa(*args, endpoint_in_env=True):
    """Runs cpa with the root credentials file; the endpoint via AWS_ENDPOINT_URL or the flag."""
    extra = {"AWS_SHARED_CREDENTIALS_FILE": SERVER["credentials"],
             "AWS_CONFIG_FILE": SERVER["empty_config"]}
    argv = [CPA] + list(args)
    if endpoint_in_env:
        extra["AWS_ENDPOINT_URL"] = SERVER["url"]
    else:
        argv += ["--endpoint-url", SERVER["url"]]
    return subprocess.run(argv, capture_output=True, text=True, env=scrubbed_env(extra),
                          timeout=120)


PROFILES = ["--source-profile", "account-" + SRC, "--target-profile", "account-" + DST,
            "--region", REGION]


def share(*extra, endpoint_in_env=True):
    return cpa("share", *PROFILES, "--out", SERVER["out"], *extra,
               endpoint_in_env=endpoint_in_env)


def share_json(testcase, *extra, **kw):
    r = share("--output", "json", *extra, **kw)
    testcase.assertEqual(r.returncode, 0, r.stdout + r.stderr)
    return json.loads(r.stdout)


def root(service, account):
    key, secret = SERVER["root"][account]
    return boto3.client(service, endpoint_url=SERVER["url"], region_name=REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret)


def with_key(service, key, secret, token=None):
    return boto3.client(service, endpoint_url=SERVER["url"], region_name=REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token)


def aws_cli_v1(config_path, *args):
    """The AWS CLI v1 with only the written config file (and the endpoint) configured."""
    env = scrubbed_env({"AWS_CONFIG_FILE": config_path, "AWS_ENDPOINT_URL": SERVER["url"],
                        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(SERVER["tmp"], "none")})
    return subprocess.run([sys.executable, "-m", "awscli"] + list(args), capture_output=True,
                          text=True, env=env, timeout=120)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def config_key(path):
    cfg = configparser.ConfigParser()
    cfg.read(path)
    section = cfg["profile " + USER]
    return section["aws_access_key_id"], section["aws_secret_access_key"]


def iam_state():
    """A snapshot of every IAM fact share manages, in both accounts."""
    src, dst = root("iam", SRC), root("iam", DST)
    state = {}
    try:
        versions = src.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]
        state["versions"] = sorted((v["VersionId"], v["IsDefaultVersion"]) for v in versions)
    except src.exceptions.NoSuchEntityException:
        state["versions"] = None
    try:
        state["trust"] = src.get_role(RoleName="curated-packages-role")["Role"][
            "AssumeRolePolicyDocument"]
        state["role_attached"] = src.list_attached_role_policies(
            RoleName="curated-packages-role")["AttachedPolicies"]
    except src.exceptions.NoSuchEntityException:
        state["trust"] = None
    try:
        state["user_attached"] = dst.list_attached_user_policies(UserName=USER)["AttachedPolicies"]
        state["keys"] = sorted((k["AccessKeyId"], k["Status"])
                               for k in dst.list_access_keys(UserName=USER)["AccessKeyMetadata"])
    except dst.exceptions.NoSuchEntityException:
        state["keys"] = None
    try:
        state["assume_versions"] = dst.list_policy_versions(PolicyArn=ASSUME_ARN)["Versions"]
    except dst.exceptions.NoSuchEntityException:
        state["assume_versions"] = None
    return state


class T01Registries(unittest.TestCase):
    def test_table(self):
        r = subprocess.run([CPA, "registries"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 33)
        self.assertTrue(lines[0].startswith("REGION"))
        self.assertIn("064352486547", r.stdout)  # leading zero kept (ca-central-1)
        self.assertEqual(r.stdout.count("(not in the docs table)"), 3)

    def test_one_region_and_json(self):
        r = subprocess.run([CPA, "registries", "us-west-2"], capture_output=True, text=True)
        self.assertEqual(r.stdout, "346438352937\t346438352937.dkr.ecr.us-west-2.amazonaws.com\n")
        r = subprocess.run([CPA, "registries", "--output", "json"], capture_output=True, text=True)
        self.assertEqual(len(json.loads(r.stdout)["Registries"]), 32)
        r = subprocess.run([CPA, "registries", "eu-west-1", "--output", "json"],
                           capture_output=True, text=True)
        self.assertEqual(json.loads(r.stdout)["AccountId"], "090204409458")

    def test_unknown_region(self):
        r = subprocess.run([CPA, "registries", "mars-north-1"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("mars-north-1", r.stderr)
        self.assertEqual(r.stdout, "")


class T02DryRun(unittest.TestCase):
    def test_dry_run_writes_nothing_and_shows_every_document(self):
        before = iam_state()
        r = share("--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(iam_state(), before)
        self.assertEqual(before["versions"], None)
        self.assertFalse(os.path.exists(SERVER["out"]))
        for text in ('"Sid": "ECRRead"', f"arn:aws:ecr:*:{TABLE_ACCOUNT}:repository/*",
                     f'"AWS": "arn:aws:iam::{DST}:root"', f'"Resource": "{ROLE_ARN}"',
                     "aws_secret_access_key=****", "namespace: eksa-packages",
                     "would create", "9 change(s) planned"):
            self.assertIn(text, r.stdout)
        doc = share_json(self, "--dry-run")
        self.assertTrue(doc["DryRun"])
        self.assertEqual(doc["Changes"], 9)
        self.assertEqual(sum(len(s.get("Documents", [])) for s in doc["Steps"]), 5)
        self.assertEqual(iam_state(), before)


class T03Share(unittest.TestCase):
    def test_1_share_end_to_end_from_the_region_table(self):
        # No subscription exists yet: the packages account comes from the region table.
        doc = share_json(self, endpoint_in_env=False)
        self.assertEqual(doc["Changes"], 9)
        self.assertEqual(doc["PackagesAccount"]["AccountId"], TABLE_ACCOUNT)
        self.assertEqual(doc["PackagesAccount"]["Source"], "table")
        self.assertIn("no active subscription", doc["PackagesAccount"]["Reason"])
        self.assertEqual(doc["RoleArn"], ROLE_ARN)
        self.assertEqual(doc["Verified"]["AssumedRoleArn"],
                         f"arn:aws:sts::{SRC}:assumed-role/curated-packages-role/cpa-share-verify")
        statuses = [(s["Step"], s["Status"]) for s in doc["Steps"]]
        self.assertEqual([s for s in statuses if s[0] != "verify"],
                         [("1", "found"), ("2", "created"), ("3", "created"), ("3", "attached"),
                          ("4", "created"), ("4", "created"), ("4", "attached"), ("5", "created"),
                          ("6", "written"), ("7", "written")])

        config = os.path.join(SERVER["out"], "config")
        self.assertEqual(stat.S_IMODE(os.stat(config).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(SERVER["out"]).st_mode), 0o700)
        text = read_bytes(config).decode()
        key, secret = config_key(config)
        self.assertEqual(key, doc["AccessKeyId"])
        self.assertEqual(text, "[default]\n"
                               f"source_profile={USER}\n"
                               f"role_arn={ROLE_ARN}\n"
                               f"region={REGION}\n"
                               "\n"
                               f"[profile {USER}]\n"
                               f"aws_access_key_id={key}\n"
                               f"aws_secret_access_key={secret}\n")
        self.assertNotIn(secret, json.dumps(doc))

        manifest_path = os.path.join(SERVER["out"], "aws-secret.yaml")
        self.assertEqual(stat.S_IMODE(os.stat(manifest_path).st_mode), 0o600)
        manifest = yaml.safe_load(read_bytes(manifest_path))
        self.assertEqual(manifest["apiVersion"], "v1")
        self.assertEqual(manifest["kind"], "Secret")
        self.assertEqual(manifest["metadata"], {"name": "aws-secret", "namespace": "eksa-packages"})
        self.assertEqual(manifest["type"], "Opaque")
        self.assertEqual(manifest["data"]["AWS_ACCESS_KEY_ID"], "")
        self.assertEqual(manifest["data"]["AWS_SECRET_ACCESS_KEY"], "")
        self.assertEqual(manifest["data"]["REGION"], "")
        self.assertEqual(base64.b64decode(manifest["data"]["config"]), read_bytes(config))

        # The IAM objects are the spec's.
        src = root("iam", SRC)
        version = src.get_policy_version(PolicyArn=POLICY_ARN, VersionId="v1")["PolicyVersion"]
        self.assertEqual(version["Document"]["Statement"][0]["Resource"],
                         f"arn:aws:ecr:*:{TABLE_ACCOUNT}:repository/*")
        trust = src.get_role(RoleName="curated-packages-role")["Role"]["AssumeRolePolicyDocument"]
        self.assertEqual(trust["Statement"][0]["Principal"], {"AWS": f"arn:aws:iam::{DST}:root"})

    def test_2_the_aws_cli_v1_uses_the_written_config(self):
        config = os.path.join(SERVER["out"], "config")
        r = aws_cli_v1(config, "sts", "get-caller-identity", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        who = json.loads(r.stdout)
        self.assertEqual(who["Account"], SRC)
        self.assertTrue(who["Arn"].startswith(f"arn:aws:sts::{SRC}:assumed-role/"
                                              "curated-packages-role/"), who["Arn"])
        r = aws_cli_v1(config, "ecr", "get-authorization-token", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(json.loads(r.stdout)["authorizationData"])

    def test_3_second_run_changes_nothing_and_keeps_the_key(self):
        config = os.path.join(SERVER["out"], "config")
        manifest = os.path.join(SERVER["out"], "aws-secret.yaml")
        files_before = (read_bytes(config), read_bytes(manifest))
        state_before = iam_state()
        r = share()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("No changes: everything was already in place.", r.stdout)
        self.assertIn("EKSA_AWS_CONFIG_FILE=" + config, r.stdout)
        self.assertIn("kubectl apply -f " + manifest, r.stdout)
        doc = share_json(self)
        self.assertEqual(doc["Changes"], 0)
        for step in doc["Steps"]:
            self.assertIn(step["Status"], ("found", "unchanged", "kept", "ok"), step)
        self.assertEqual((read_bytes(config), read_bytes(manifest)), files_before)
        self.assertEqual(iam_state(), state_before)
        self.assertEqual(len(state_before["keys"]), 1)

    def test_4_cpa_secret_renders_the_same_manifest(self):
        config = os.path.join(SERVER["out"], "config")
        r = subprocess.run([CPA, "secret", "--config", config], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.encode(), read_bytes(os.path.join(SERVER["out"],
                                                                    "aws-secret.yaml")))
        r = subprocess.run([CPA, "secret", "--config", config, "--region", REGION],
                           capture_output=True, text=True)
        self.assertEqual(yaml.safe_load(r.stdout)["data"]["REGION"],
                         base64.b64encode(REGION.encode()).decode())
        r = subprocess.run([CPA, "secret", "--config", config + ".missing"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not exist", r.stderr)

    def test_5_drift_is_repaired_and_reported(self):
        src, dst = root("iam", SRC), root("iam", DST)
        wide = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}
        src.create_policy_version(PolicyArn=POLICY_ARN, PolicyDocument=json.dumps(wide),
                                  SetAsDefault=True)
        other = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::888888888888:root"},
                                "Action": "sts:AssumeRole"}]}
        src.update_assume_role_policy(RoleName="curated-packages-role",
                                      PolicyDocument=json.dumps(other))
        dst.detach_user_policy(UserName=USER, PolicyArn=ASSUME_ARN)
        drifted = iam_state()

        # A dry run sees the drift and changes nothing.
        doc = share_json(self, "--dry-run")
        self.assertEqual(doc["Changes"], 3)
        self.assertEqual(iam_state(), drifted)

        key_before = config_key(os.path.join(SERVER["out"], "config"))
        r = share()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Done: 3 change(s).", r.stdout)
        self.assertRegex(r.stdout, r"policy/curated-packages-policy: updated \(drift repaired: "
                                   r"default version v2 differs .*new default version v3\)")
        self.assertRegex(r.stdout, r"role/curated-packages-role: updated \(drift repaired")
        self.assertRegex(r.stdout, r"curated-packages-assume-role-policy: attached \(drift "
                                   r"repaired")
        policy = src.get_policy(PolicyArn=POLICY_ARN)["Policy"]
        self.assertEqual(policy["DefaultVersionId"], "v3")
        document = src.get_policy_version(PolicyArn=POLICY_ARN, VersionId="v3")["PolicyVersion"][
            "Document"]
        self.assertEqual(document["Statement"][1]["Sid"], "ECRLogin")
        trust = src.get_role(RoleName="curated-packages-role")["Role"]["AssumeRolePolicyDocument"]
        self.assertEqual(trust["Statement"][0]["Principal"], {"AWS": f"arn:aws:iam::{DST}:root"})
        attached = dst.list_attached_user_policies(UserName=USER)["AttachedPolicies"]
        self.assertEqual([p["PolicyArn"] for p in attached], [ASSUME_ARN])
        self.assertEqual(config_key(os.path.join(SERVER["out"], "config")), key_before)

    def test_6_at_five_versions_the_oldest_non_default_goes(self):
        src = root("iam", SRC)
        for n in range(2):  # v4, v5
            src.create_policy_version(PolicyArn=POLICY_ARN, PolicyDocument=json.dumps(
                {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": "ecr:ListImages",
                                "Resource": f"arn:aws:ecr:*:00000000000{n}:repository/*"}]}),
                SetAsDefault=True)
        versions = sorted(v["VersionId"] for v in
                          src.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"])
        self.assertEqual(versions, ["v1", "v2", "v3", "v4", "v5"])
        doc = share_json(self)
        self.assertEqual(doc["Changes"], 2)
        versions = {v["VersionId"]: v["IsDefaultVersion"] for v in
                    src.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]}
        self.assertEqual(versions, {"v2": False, "v3": False, "v4": False, "v5": False,
                                    "v6": True})
        self.assertIn(("2", "deleted version"), [(s["Step"], s["Status"]) for s in doc["Steps"]])

    def test_7_no_second_key_without_new_key(self):
        out = os.path.join(SERVER["tmp"], "other-out")
        r = cpa("share", *PROFILES, "--out", out)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--new-key", r.stderr)
        self.assertEqual(len(iam_state()["keys"]), 1)
        self.assertFalse(os.path.exists(os.path.join(out, "config")))

    def test_8_subscription_registry(self):
        eks = root("eks", SRC)
        sub = eks.create_eks_anywhere_subscription(
            name="share-test", term={"duration": 12, "unit": "MONTHS"}, licenseQuantity=1,
            licenseType="Cluster")["subscription"]
        doc = share_json(self, "--subscription-id", sub["id"])
        self.assertEqual(doc["PackagesAccount"]["Source"], "subscription")
        self.assertEqual(doc["PackagesAccount"]["AccountId"], TABLE_ACCOUNT)
        self.assertIn(sub["id"], doc["PackagesAccount"]["Explanation"])
        self.assertEqual(doc["Changes"], 0)
        r = share("--subscription-id", "00000000-0000-0000-0000-000000000000")
        self.assertEqual(r.returncode, 1)
        self.assertIn("ResourceNotFoundException", r.stderr)

    def test_8b_tokens_from_the_spec_config_let_skopeo_pull_the_bundle(self):
        # The subscription of test_8 grants 111111111111 (the role's account) pull access to the
        # us-west-2 packages registry. The AWS CLI v1 and the JS SDK (fromIni) each turn the
        # written config into a registry password, with which skopeo reads the bundle.
        config = os.path.join(SERVER["out"], "config")
        r = aws_cli_v1(config, "ecr", "get-login-password")
        self.assertEqual(r.returncode, 0, r.stderr)
        passwords = {"aws-cli-v1": r.stdout.strip()}
        env = scrubbed_env({"AWS_CONFIG_FILE": config, "AWS_ENDPOINT_URL": SERVER["url"],
                            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(SERVER["tmp"], "none")})
        r = subprocess.run(["node", os.path.join(CLIENTS, "ecr-token.mjs")], capture_output=True,
                           text=True, env=env, cwd=CLIENTS, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        token = json.loads(r.stdout)
        passwords["js-sdk-fromIni"] = token["password"]
        port = SERVER["url"].rsplit(":", 1)[1]
        # cpa serve speaks plain HTTP unless --registry-scheme https.
        self.assertEqual(token["proxyEndpoint"], f"http://{SRC}.dkr.ecr.{REGION}.localhost:{port}")
        bundles = f"docker://{PACKAGES_HOST}:{port}/eks-anywhere-packages-bundles"
        for client, password in passwords.items():
            with self.subTest(client=client):
                self.assertTrue(password.startswith("eyJ"), client)
                r = subprocess.run(["skopeo", "--insecure-policy", "list-tags", "--tls-verify=false",
                                    "--creds", "AWS:" + password, bundles],
                                   capture_output=True, text=True, timeout=120)
                self.assertEqual(r.returncode, 0, r.stderr)
                latest = sorted(t for t in json.loads(r.stdout)["Tags"] if t.endswith("-latest"))
                self.assertTrue(latest, r.stdout)
                r = subprocess.run(["skopeo", "--insecure-policy", "inspect", "--raw",
                                    "--tls-verify=false", "--creds", "AWS:" + password,
                                    f"{bundles}:{latest[-1]}"],
                                   capture_output=True, text=True, timeout=120)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(json.loads(r.stdout)["schemaVersion"], 2)
        # A wrong password is refused by the registry.
        r = subprocess.run(["skopeo", "--insecure-policy", "list-tags", "--tls-verify=false",
                            "--creds", "AWS:eyJub3QiOiJ2YWxpZCJ9", bundles],
                           capture_output=True, text=True, timeout=120)
        self.assertNotEqual(r.returncode, 0)

    def test_9_bad_input(self):
        r = cpa("share", "--source-profile", "account-" + SRC, "--target-profile",
                "account-" + DST, "--out", SERVER["out"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("--region is required", r.stderr)
        r = cpa("share", "--source-profile", "nobody", "--target-profile", "account-" + DST,
                "--region", REGION, "--out", SERVER["out"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("nobody", r.stderr)
        r = cpa("share", "--source-profile", "account-" + SRC, "--target-profile",
                "account-" + SRC, "--region", REGION, "--out", SERVER["out"], "--output", "json")
        self.assertEqual(r.returncode, 1)
        self.assertIn("two accounts", json.loads(r.stdout)["error"]["message"])


class T04Rotate(unittest.TestCase):
    def rotate(self, *extra):
        return cpa("share", "rotate-key", "--target-profile", "account-" + DST,
                   "--source-profile", "account-" + SRC, "--out", SERVER["out"], *extra)

    def test_1_failure_midway_leaves_everything_as_it_was(self):
        config = os.path.join(SERVER["out"], "config")
        manifest = os.path.join(SERVER["out"], "aws-secret.yaml")
        old_key, old_secret = config_key(config)
        for step in ("write-files", "deactivate-old-key", "assume-role"):
            files_before = (read_bytes(config), read_bytes(manifest))
            r = self.rotate("--fail-after", step)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("injected failure after step " + step, r.stderr)
            self.assertIn("the old key and the files are as they were", r.stderr)
            self.assertEqual((read_bytes(config), read_bytes(manifest)), files_before)
            self.assertEqual(iam_state()["keys"], [(old_key, "Active")])
            who = with_key("sts", old_key, old_secret).get_caller_identity()
            self.assertEqual(who["Arn"], f"arn:aws:iam::{DST}:user/{USER}")
            r = aws_cli_v1(config, "sts", "get-caller-identity", "--output", "json")
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_2_rotation_replaces_the_key_everywhere(self):
        config = os.path.join(SERVER["out"], "config")
        old_key, old_secret = config_key(config)
        r = cpa("share", "rotate-key", "--target-profile", "account-" + DST, "--out",
                SERVER["out"], "--output", "json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        new_key, new_secret = config_key(config)
        self.assertEqual(doc["OldAccessKeyId"], old_key)
        self.assertEqual(doc["NewAccessKeyId"], new_key)
        self.assertNotEqual(new_key, old_key)
        self.assertEqual(iam_state()["keys"], [(new_key, "Active")])
        self.assertEqual(stat.S_IMODE(os.stat(config).st_mode), 0o600)
        manifest = yaml.safe_load(read_bytes(os.path.join(SERVER["out"], "aws-secret.yaml")))
        self.assertEqual(base64.b64decode(manifest["data"]["config"]), read_bytes(config))
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            with_key("sts", old_key, old_secret).get_caller_identity()
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidClientTokenId")
        r = aws_cli_v1(config, "sts", "get-caller-identity", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("assumed-role/curated-packages-role", json.loads(r.stdout)["Arn"])
        self.assertNotIn(new_secret, r.stdout + json.dumps(doc))
        # share agrees that everything is in place with the new key.
        self.assertEqual(share_json(self)["Changes"], 0)

    def test_3_refuses_without_a_config(self):
        r = cpa("share", "rotate-key", "--target-profile", "account-" + DST, "--region", REGION,
                "--out", os.path.join(SERVER["tmp"], "nowhere"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("run `cpa share` first", r.stderr)


def rerun_with_registry_hosts():
    """Re-runs this test in a mount namespace whose /etc/hosts names the registry hosts that
    skopeo and the token's proxy endpoint use (tests/support/with-private-hosts)."""
    for tool in ("skopeo", "node", "unshare"):
        if shutil.which(tool) is None:
            sys.exit(f"share_test: {tool} not found (scripts/bootstrap installs it)")
    hosts = tempfile.NamedTemporaryFile("w", prefix="cpa-hosts-", delete=False)
    hosts.write("127.0.0.1 localhost\n::1 localhost\n")
    for account in (SRC, DST, TABLE_ACCOUNT):
        hosts.write(f"127.0.0.1 {account}.dkr.ecr.{REGION}.localhost\n")
    hosts.close()
    try:
        env = dict(os.environ, CPA_PRIVATE_HOSTS=hosts.name)
        return subprocess.run([WITH_HOSTS, hosts.name, sys.executable, os.path.abspath(__file__),
                               *sys.argv[1:]], env=env).returncode
    finally:
        os.unlink(hosts.name)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: share_test.py PATH_TO_CPA")
    if os.environ.get("CPA_PRIVATE_HOSTS") is None:
        sys.exit(rerun_with_registry_hosts())
    CPA = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
