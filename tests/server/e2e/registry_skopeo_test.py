#!/usr/bin/env python3
"""End to end: the curated packages registry through the spec's cross-account chain, with skopeo.

Reads top to bottom as the story it checks:
  1. `cpa serve` starts with the world of the spec (111111111111 subscribes, 999999999999
     receives access) plus a third account 222222222222; every packages account already holds
     the seeded curated packages (bundle, charts, images).
  2. 111111111111 creates an EKS Anywhere subscription in us-west-2 (AWS CLI v1), and step 1 of
     the spec, run with the CLI model extension written by `cpa cli-model eks`, prints the
     packages registry of the region.
  3. Steps 2-6 of the spec (boto3): ECR read policy, role trusting 999999999999, the user with
     the assume-role policy, its access key, the config file.
  4. Tokens from `aws ecr get-login-password` (CLI v1 and v2), and skopeo pulls with
     `--src-creds AWS:<password>`:
       (a) a role of the subscription account: inspect + copy of the bundle, a chart, an image;
       (b) 999999999999 through the spec's config file and the assumed role: the same;
       (c) a third account with the same ECR policy but no subscription: DENIED;
       (d) 999999999999 after the subscription is deleted: DENIED.
  5. Push with skopeo into an account's own repository, then copy the same image from cpa to
     docker-registry (distribution 2.8) and back, with identical digests.

Registry names (<account>.dkr.ecr.us-west-2.localhost) resolve to 127.0.0.1 through a private
mount namespace whose /etc/hosts lists them (tests/support/with-private-hosts): the machine's
own /etc/hosts is never touched. The test re-runs itself inside that namespace.

Usage: registry_skopeo_test.py PATH_TO_CPA
"""
import base64
import configparser
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import boto3
import botocore.auth
import botocore.exceptions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
WITH_HOSTS = os.path.join(ROOT, "tests", "support", "with-private-hosts")
SPEC_DOCUMENTS = os.path.join(ROOT, "tests", "clients", "suites", "spec_documents.json")

REGION = "us-west-2"
PACKAGES_ACCOUNT = "346438352937"  # us-west-2 in the packages registry table
SOURCE, TARGET, THIRD = "111111111111", "999999999999", "222222222222"
DOMAIN = "localhost"
BOOTSTRAP = """accounts:
  - id: "111111111111"
    name: subscription-account
  - id: "999999999999"
    name: destination-account
  - id: "222222222222"
    name: third-account
"""

CPA = None
STATE = {}


def registry_host(account):
    return f"{account}.dkr.ecr.{REGION}.{DOMAIN}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def run(cmd, env=None, check=True, timeout=120):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd[0]} {cmd[1] if len(cmd) > 1 else ''} failed "
                             f"({p.returncode}):\n{p.stderr[-3000:]}")
    return p


def start_servers():
    work = tempfile.mkdtemp(prefix="cpa-registry-e2e-")
    STATE["work"] = work
    boot = os.path.join(work, "bootstrap.yaml")
    with open(boot, "w") as f:
        f.write(BOOTSTRAP)
    data = os.path.join(work, "data")
    log = open(os.path.join(work, "server.log"), "w+b")
    proc = subprocess.Popen(
        [CPA, "serve", "--listen", "127.0.0.1:0", "--data", data, "--bootstrap", boot,
         "--registry-domain", DOMAIN, "--workers", "2", "--test-clock"],
        stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    STATE["server"] = proc
    line = proc.stdout.readline().decode()
    m = re.match(r"cpa serve: listening on (http://127\.0\.0\.1:(\d+)), data ", line)
    if not m:
        stop_servers()
        raise RuntimeError(f"no ready line from cpa serve: {line!r}")
    STATE["url"], STATE["port"] = m.group(1), int(m.group(2))
    creds = configparser.ConfigParser()
    creds.read(os.path.join(data, "root-credentials"))
    STATE["root"] = {a: (creds["account-" + a]["aws_access_key_id"],
                         creds["account-" + a]["aws_secret_access_key"])
                     for a in (SOURCE, TARGET, THIRD)}

    # docker-registry (Debian's distribution 2.8) beside it, for the copies in both directions.
    dr_port = free_port()
    dr_dir = os.path.join(work, "docker-registry")
    os.makedirs(dr_dir)
    with open(os.path.join(dr_dir, "config.yml"), "w") as f:
        f.write(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
                f"    rootdirectory: {dr_dir}/data\n  delete:\n    enabled: true\n"
                f"http:\n  addr: 127.0.0.1:{dr_port}\n")
    dr = subprocess.Popen(["docker-registry", "serve", os.path.join(dr_dir, "config.yml")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          start_new_session=True)
    STATE["docker_registry"], STATE["dr_port"] = dr, dr_port
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", dr_port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)


def stop_servers():
    for key in ("server", "docker_registry"):
        proc = STATE.get(key)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    if os.environ.get("CPA_KEEP_WORK"):
        print("work directory kept:", STATE.get("work"), file=sys.stderr)
    else:
        shutil.rmtree(STATE.get("work", ""), ignore_errors=True)


def client(service, key, secret, token=None):
    # Sign at the server's (possibly advanced) time.
    offset = STATE.get("clock_offset", 0)
    if offset:
        real_now = botocore.auth.get_current_datetime.__wrapped__ if hasattr(
            botocore.auth.get_current_datetime, "__wrapped__") else botocore.auth.get_current_datetime

        def shifted(*a, **k):
            return real_now(*a, **k) + datetime.timedelta(seconds=offset)
        shifted.__wrapped__ = real_now
        botocore.auth.get_current_datetime = shifted
    return boto3.client(service, region_name=REGION, endpoint_url=STATE["url"],
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token)


def root_client(service, account):
    return client(service, *STATE["root"][account])


def write_credentials(path, profile, key, secret, token=None):
    with open(path, "w") as f:
        f.write(f"[{profile}]\naws_access_key_id={key}\naws_secret_access_key={secret}\n")
        if token:
            f.write(f"aws_session_token={token}\n")


def cli_v1_env(**files):
    # A fresh HOME per call: the CLI caches assumed-role credentials under ~/.aws/cli/cache and
    # would reuse a session across the test clock's jump.
    home = tempfile.mkdtemp(dir=STATE["work"], prefix="home-")
    return clean_env(AWS_ENDPOINT_URL=STATE["url"], AWS_DEFAULT_REGION=REGION,
                     AWS_EC2_METADATA_DISABLED="true", HOME=home, **files)


# The AWS CLI v1 with botocore's signing clock moved forward by argv[1] seconds: after the
# server's test clock has been advanced, requests must be signed at the server's time (SigV4
# allows 15 minutes of skew).
SHIFTED_CLI = r"""
import datetime, sys
offset = datetime.timedelta(seconds=float(sys.argv.pop(1)))
import botocore.auth
real_now = botocore.auth.get_current_datetime
botocore.auth.get_current_datetime = lambda *a, **k: real_now(*a, **k) + offset
import awscli.clidriver
sys.argv[0] = "aws"
sys.exit(awscli.clidriver.main())
"""


def login_password_v1(credentials_file=None, config_file=None, profile=None):
    env = cli_v1_env(AWS_SHARED_CREDENTIALS_FILE=credentials_file or os.devnull,
                     AWS_CONFIG_FILE=config_file or os.devnull, AWS_PROFILE=profile)
    args = ["ecr", "get-login-password", "--region", REGION]
    offset = STATE.get("clock_offset", 0)
    cmd = ([sys.executable, "-c", SHIFTED_CLI, str(offset)] if offset else ["aws"]) + args
    return run(cmd, env=env).stdout.strip()


def advance_server_clock(seconds):
    req = urllib.request.Request(
        STATE["url"] + f"/_cpa/test/advance-clock?seconds={seconds}", method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()
    STATE["clock_offset"] = STATE.get("clock_offset", 0) + seconds


def login_password_v2(credentials_file, profile):
    env = clean_env(AWS_SHARED_CREDENTIALS_FILE=credentials_file, AWS_CONFIG_FILE=os.devnull,
                    AWS_PROFILE=profile, AWS_EC2_METADATA_DISABLED="true",
                    HOME=tempfile.mkdtemp(dir=STATE["work"], prefix="home-"))
    p = run(["/usr/bin/aws", "ecr", "get-login-password", "--region", REGION, "--endpoint-url",
             STATE["url"]], env=env)
    return p.stdout.strip()


def skopeo(*args, check=True):
    return run(["skopeo", "--insecure-policy", *args], check=check, timeout=300)


def ref(account, repository, tag):
    return f"docker://{registry_host(account)}:{STATE['port']}/{repository}:{tag}"


class RegistryChain(unittest.TestCase):
    """One ordered scenario: each test builds on the previous one (names sort in order)."""

    @classmethod
    def setUpClass(cls):
        with open(SPEC_DOCUMENTS) as f:
            cls.docs = json.load(f)
        cls.scratch = os.path.join(STATE["work"], "scratch")
        os.makedirs(cls.scratch)

    # ---- 1. the seeded registry ----
    def test_1_seeded_bundle_is_listed(self):
        pw = self.__class__.source_password()
        p = skopeo("list-tags", "--tls-verify=false", "--creds", f"AWS:{pw}",
                   f"docker://{registry_host(PACKAGES_ACCOUNT)}:{STATE['port']}"
                   "/eks-anywhere-packages-bundles", check=False)
        # The subscription does not exist yet: the packages account refuses (skopeo shows the
        # 403 of tags/list without its body).
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("403", p.stderr)

    # ---- 2. subscription, and step 1 of the spec with the model extension ----
    def test_2_subscription_and_step_1(self):
        creds = os.path.join(self.scratch, "root-111")
        write_credentials(creds, "default", *STATE["root"][SOURCE])
        env = cli_v1_env(AWS_SHARED_CREDENTIALS_FILE=creds, AWS_CONFIG_FILE=os.devnull)
        p = run(["aws", "eks", "create-eks-anywhere-subscription", "--name", "packages",
                 "--term", "duration=12,unit=MONTHS", "--license-quantity", "1",
                 "--license-type", "Cluster", "--region", REGION], env=env)
        sub = json.loads(p.stdout)["subscription"]
        # The create response says CREATING, as EKS's documented sample does; then ACTIVE.
        self.assertIn(sub["status"], ("CREATING", "ACTIVE"))
        STATE["subscription"] = sub["id"]
        described = run(["aws", "eks", "describe-eks-anywhere-subscription", "--region", REGION,
                         "--id", sub["id"]], env=env)
        self.assertEqual(json.loads(described.stdout)["subscription"]["status"], "ACTIVE")
        # Stock CLI: the model has no packageRegistry, so the spec's command prints None.
        step1 = ["aws", "eks", "describe-eks-anywhere-subscription", "--region", REGION,
                 "--id", sub["id"], "--query", "subscription.packageRegistry"]
        self.assertEqual(run(step1, env=env).stdout.strip(), "null")
        # With `cpa cli-model eks` on AWS_DATA_PATH it prints the registry.
        models = os.path.join(self.scratch, "models")
        model = os.path.join(models, "eks", "2017-11-01", "service-2.json")
        os.makedirs(os.path.dirname(model))
        run([CPA, "cli-model", "eks", "--out", model])
        env["AWS_DATA_PATH"] = models
        out = json.loads(run(step1, env=env).stdout)
        self.assertEqual(out, f"{PACKAGES_ACCOUNT}.dkr.ecr.{REGION}.{DOMAIN}")

    # ---- 3. steps 2-6 ----
    def test_3_spec_steps_2_to_6(self):
        docs = self.docs
        # The spec's documents verbatim, with the packages account found in step 1.
        ecr_policy = docs["ecr_read_policy"]["document"].replace(
            docs["packages_account_placeholder"], PACKAGES_ACCOUNT)
        iam_src = root_client("iam", SOURCE)
        policy = iam_src.create_policy(PolicyName="curated-packages-policy",
                                       PolicyDocument=ecr_policy)
        iam_src.create_role(RoleName="curated-packages-role",
                            AssumeRolePolicyDocument=docs["role"]["trust_policy"])
        iam_src.attach_role_policy(RoleName="curated-packages-role",
                                   PolicyArn=policy["Policy"]["Arn"])
        iam_dst = root_client("iam", TARGET)
        assume = iam_dst.create_policy(PolicyName="curated-packages-assume-role-policy",
                                       PolicyDocument=docs["assume_role_policy"]["document"])
        iam_dst.create_user(UserName="curated-packages-user")
        iam_dst.attach_user_policy(UserName="curated-packages-user",
                                   PolicyArn=assume["Policy"]["Arn"])
        key = iam_dst.create_access_key(UserName="curated-packages-user")["AccessKey"]
        config = os.path.join(self.scratch, "config")
        with open(config, "w") as f:
            f.write("[default]\nsource_profile=curated-packages-user\n"
                    "role_arn=arn:aws:iam::111111111111:role/curated-packages-role\n"
                    f"region={REGION}\n\n[profile curated-packages-user]\n"
                    f"aws_access_key_id={key['AccessKeyId']}\n"
                    f"aws_secret_access_key={key['SecretAccessKey']}\n")
        STATE["config"] = config
        # (a) needs a role of the subscription account that its own principals may assume.
        iam_src.create_role(RoleName="packages-reader", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"}}]}))
        iam_src.attach_role_policy(RoleName="packages-reader", PolicyArn=policy["Policy"]["Arn"])
        # Roots may not assume roles: an operator user of 111111111111 does.
        iam_src.create_user(UserName="operator")
        iam_src.put_user_policy(UserName="operator", PolicyName="assume-reader",
                                PolicyDocument=json.dumps({
                                    "Version": "2012-10-17",
                                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                   "Resource": f"arn:aws:iam::{SOURCE}:role/"
                                                               "packages-reader"}]}))
        k = iam_src.create_access_key(UserName="operator")["AccessKey"]
        STATE["operator"] = (k["AccessKeyId"], k["SecretAccessKey"])
        # (c) a third account with the same ECR read policy and no subscription.
        iam_3 = root_client("iam", THIRD)
        p3 = iam_3.create_policy(PolicyName="curated-packages-policy",
                                 PolicyDocument=ecr_policy)
        iam_3.create_user(UserName="reader")
        iam_3.attach_user_policy(UserName="reader", PolicyArn=p3["Policy"]["Arn"])
        k3 = iam_3.create_access_key(UserName="reader")["AccessKey"]
        STATE["third"] = (k3["AccessKeyId"], k3["SecretAccessKey"])

    # ---- 4. pulls ----
    def pull_all(self, password, label):
        creds = f"AWS:{password}"
        host = registry_host(PACKAGES_ACCOUNT)
        tags = json.loads(skopeo("list-tags", "--tls-verify=false", "--creds", creds,
                                 f"docker://{host}:{STATE['port']}/eks-anywhere-packages-bundles"
                                 ).stdout)["Tags"]
        latest = sorted(t for t in tags if t.endswith("-latest"))
        self.assertTrue(latest, tags)
        bundle = ref(PACKAGES_ACCOUNT, "eks-anywhere-packages-bundles", latest[-1])
        info = json.loads(skopeo("inspect", "--raw", "--tls-verify=false", "--creds", creds,
                                 bundle).stdout)
        self.assertEqual(info["schemaVersion"], 2)
        out = os.path.join(self.scratch, f"{label}-bundle")
        skopeo("copy", "--src-tls-verify=false", "--src-creds", creds, bundle, f"dir:{out}")
        layer = info["layers"][0]["digest"].split(":")[1]
        with open(os.path.join(out, layer)) as f:
            text = f.read()
        self.assertIn("kind: PackageBundle", text)
        # Every chart and image the bundle names can be copied with the same token.
        charts = re.findall(r"repository: (\S+)", text)
        self.assertTrue(charts, text[:500])
        copied = 0
        for repository in sorted(set(charts)):
            rtags = json.loads(skopeo("list-tags", "--tls-verify=false", "--creds", creds,
                                      f"docker://{host}:{STATE['port']}/{repository}"
                                      ).stdout)["Tags"]
            dest = os.path.join(self.scratch, f"{label}-{repository.replace('/', '_')}")
            skopeo("copy", "--all", "--src-tls-verify=false", "--src-creds", creds,
                   ref(PACKAGES_ACCOUNT, repository, rtags[0]), f"oci:{dest}:x")
            copied += 1
        self.assertGreaterEqual(copied, 2)

    def denied(self, password):
        p = skopeo("inspect", "--raw", "--tls-verify=false", "--creds", f"AWS:{password}",
                   ref(PACKAGES_ACCOUNT, "eks-anywhere-packages-bundles", "v1-29-latest"),
                   check=False)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("denied", p.stderr.lower())
        return p.stderr

    @classmethod
    def source_password(cls):
        creds = os.path.join(STATE["work"], "root-111-reader")
        write_credentials(creds, "default", *STATE["root"][SOURCE])
        return login_password_v1(credentials_file=creds)

    def test_4a_subscription_account_role_pulls(self):
        sts = client("sts", *STATE["operator"])
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{SOURCE}:role/packages-reader",
                            RoleSessionName="reader")["Credentials"]
        creds = os.path.join(self.scratch, "reader-session")
        write_credentials(creds, "reader", c["AccessKeyId"], c["SecretAccessKey"],
                          c["SessionToken"])
        self.pull_all(login_password_v1(credentials_file=creds, profile="reader"), "a")
        # The AWS CLI v2 gets a token that works as well.
        self.pull_all(login_password_v2(creds, "reader"), "a2")

    def test_4b_receiving_account_through_config_file(self):
        password = login_password_v1(config_file=STATE["config"])
        self.pull_all(password, "b")
        STATE["b_password"] = password

    def test_4c_third_account_is_denied(self):
        creds = os.path.join(self.scratch, "third")
        write_credentials(creds, "default", *STATE["third"])
        message = self.denied(login_password_v1(credentials_file=creds))
        self.assertIn(THIRD, message)

    def test_4d_denied_after_subscription_expired_and_deleted(self):
        # Only an expired subscription may be deleted: move the server past its 12-month term.
        advance_server_clock(400 * 24 * 3600)
        # The token issued before expiry has expired with the clock, and a new one is refused
        # by the packages registry: the grant ended with the subscription.
        self.denied(login_password_v1(config_file=STATE["config"]))
        creds = os.path.join(self.scratch, "root-111-shifted")
        write_credentials(creds, "default", *STATE["root"][SOURCE])
        env = cli_v1_env(AWS_SHARED_CREDENTIALS_FILE=creds, AWS_CONFIG_FILE=os.devnull)
        describe = run([sys.executable, "-c", SHIFTED_CLI, str(STATE["clock_offset"]), "eks",
                        "describe-eks-anywhere-subscription", "--id", STATE["subscription"],
                        "--region", REGION], env=env)
        self.assertEqual(json.loads(describe.stdout)["subscription"]["status"], "EXPIRED")
        run([sys.executable, "-c", SHIFTED_CLI, str(STATE["clock_offset"]), "eks",
             "delete-eks-anywhere-subscription", "--id", STATE["subscription"], "--region",
             REGION], env=env)
        self.denied(login_password_v1(config_file=STATE["config"]))

    # ---- 5. push, and copies with docker-registry ----
    def test_5_push_and_copy_with_docker_registry(self):
        ecr = root_client("ecr", SOURCE)
        ecr.create_repository(repositoryName="mirror/hello")
        ecr.create_repository(repositoryName="mirror/back")
        password = self.__class__.source_password()
        creds = f"AWS:{password}"
        # An image pulled in 4a (an OCI layout) is pushed into 111111111111's own registry.
        layouts = sorted(d for d in os.listdir(self.scratch)
                         if d.startswith("a-") and not d.endswith("bundle"))
        src = os.path.join(self.scratch, layouts[0])
        dest = ref(SOURCE, "mirror/hello", "v1")
        skopeo("copy", "--all", "--dest-tls-verify=false", "--dest-creds", creds,
               f"oci:{src}:x", dest)
        pushed = skopeo("inspect", "--raw", "--tls-verify=false", "--creds", creds, dest).stdout
        digest = "sha256:" + __import__("hashlib").sha256(pushed.encode()).hexdigest()
        # ECR sees what /v2 received.
        images = ecr.describe_images(repositoryName="mirror/hello")["imageDetails"]
        self.assertEqual([i["imageDigest"] for i in images if "v1" in i.get("imageTags", [])],
                         [digest])
        # cpa -> docker-registry -> cpa, digests unchanged.
        dr = f"docker://127.0.0.1:{STATE['dr_port']}/hello:v1"
        skopeo("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--src-creds",
               creds, "--dest-tls-verify=false", dest, dr)
        dr_raw = skopeo("inspect", "--raw", "--tls-verify=false", dr).stdout
        self.assertEqual("sha256:" + __import__("hashlib").sha256(dr_raw.encode()).hexdigest(),
                         digest)
        back = ref(SOURCE, "mirror/back", "v1")
        skopeo("copy", "--all", "--preserve-digests", "--src-tls-verify=false",
               "--dest-tls-verify=false", "--dest-creds", creds, dr, back)
        back_raw = skopeo("inspect", "--raw", "--tls-verify=false", "--creds", creds,
                          back).stdout
        self.assertEqual(back_raw, pushed)


def main():
    global CPA
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    CPA = os.path.abspath(sys.argv[1])
    for tool in ("skopeo", "docker-registry", "unshare"):
        if shutil.which(tool) is None:
            print(f"registry_skopeo_test: {tool} not found (scripts/bootstrap installs it)",
                  file=sys.stderr)
            return 1
    if os.environ.get("CPA_PRIVATE_HOSTS") is None:
        # Re-run inside a mount namespace whose /etc/hosts names the registries.
        hosts = tempfile.NamedTemporaryFile("w", prefix="cpa-hosts-", delete=False)
        hosts.write("127.0.0.1 localhost\n::1 localhost\n")
        for account in (SOURCE, TARGET, THIRD, PACKAGES_ACCOUNT):
            hosts.write(f"127.0.0.1 {registry_host(account)}\n")
        hosts.close()
        try:
            env = dict(os.environ, CPA_PRIVATE_HOSTS=hosts.name)
            return subprocess.run([WITH_HOSTS, hosts.name, sys.executable, __file__, CPA],
                                  env=env).returncode
        finally:
            os.unlink(hosts.name)
    start_servers()
    try:
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(RegistryChain)
        result = unittest.TextTestRunner(verbosity=2, failfast=True).run(suite)
        return 0 if result.wasSuccessful() else 1
    finally:
        stop_servers()


if __name__ == "__main__":
    sys.exit(main())
