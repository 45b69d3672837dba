#!/usr/bin/env python3
"""`cpa whoami` and `cpa ecr-login` against moto_server, with the spec's step-6 config file.

Starts `moto_server -H 127.0.0.1 -p <free port>` itself (and always stops it), creates with boto3
the spec's IAM objects (curated-packages-policy, curated-packages-role with the spec's trust
policy, curated-packages-assume-role-policy, curated-packages-user and its access key), writes the
config file of step 6 and drives the cpa binary with AWS_CONFIG_FILE / AWS_ENDPOINT_URL.

The last class turns on moto's IAM enforcement (POST /moto-api/reset-auth), so that assuming a
role that does not exist is denied by STS as on AWS (without enforcement moto lets anyone assume
any ARN, existing or not).

Usage: aws_test.py PATH_TO_CPA
"""
import json
import os
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

CPA = None
MOTO = None  # {"url", "proc", "log"}
WORLD = {}  # what setUpModule created
REGION = "us-west-2"
PACKAGES_ACCOUNT = "783794618700"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    binary = shutil.which("moto_server")
    if binary is None:
        raise RuntimeError("moto_server is not on PATH (install moto[server])")
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError("moto_server exited early: " + log.read().decode(errors="replace"))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return {"url": f"http://127.0.0.1:{port}", "proc": proc, "log": log}
        except OSError:
            time.sleep(0.1)
    stop_moto({"proc": proc, "log": log})
    raise RuntimeError("moto_server did not listen within 30 s")


def stop_moto(moto):
    proc = moto["proc"]
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    moto["log"].close()


def boto(service):
    return boto3.client(service, endpoint_url=MOTO["url"], region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def create_world():
    account = boto("sts").get_caller_identity()["Account"]
    iam = boto("iam")
    # Step 2: ECR login and read policy.
    ecr_policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "ECRRead", "Effect": "Allow", "Action": [
            "ecr:DescribeImageScanFindings", "ecr:GetDownloadUrlForLayer", "ecr:DescribeRegistry",
            "ecr:DescribePullThroughCacheRules", "ecr:DescribeImageReplicationStatus",
            "ecr:ListTagsForResource", "ecr:ListImages", "ecr:BatchGetImage",
            "ecr:DescribeImages", "ecr:DescribeRepositories", "ecr:BatchCheckLayerAvailability"],
         "Resource": f"arn:aws:ecr:*:{PACKAGES_ACCOUNT}:repository/*"},
        {"Sid": "ECRLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"],
         "Resource": "*"}]}
    policy_arn = iam.create_policy(PolicyName="curated-packages-policy",
                                   PolicyDocument=json.dumps(ecr_policy))["Policy"]["Arn"]
    # Step 3: the role, trusting the receiving account (moto has one account: both sides).
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": "sts:AssumeRole"}]}
    role_arn = iam.create_role(RoleName="curated-packages-role",
                               AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.attach_role_policy(RoleName="curated-packages-role", PolicyArn=policy_arn)
    # Step 4: the user allowed to assume the role.
    assume = {"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Resource": f"arn:aws:iam::{account}:role/curated-packages-role"}}
    assume_arn = iam.create_policy(PolicyName="curated-packages-assume-role-policy",
                                   PolicyDocument=json.dumps(assume))["Policy"]["Arn"]
    iam.create_user(UserName="curated-packages-user")
    iam.attach_user_policy(UserName="curated-packages-user", PolicyArn=assume_arn)
    # Step 5: its access key.
    key = iam.create_access_key(UserName="curated-packages-user")["AccessKey"]
    WORLD.update(account=account, role_arn=role_arn, key_id=key["AccessKeyId"],
                 secret=key["SecretAccessKey"])


def step6_config(role_arn=None, key_id=None, secret=None, region=REGION):
    """The config file of step 6, with this run's values."""
    role_arn = role_arn or WORLD["role_arn"]
    text = ("[default]\n"
            "source_profile=curated-packages-user\n"
            f"role_arn={role_arn}\n"
            f"region={region}\n"
            "\n"
            "[profile curated-packages-user]\n")
    text += f"aws_access_key_id={key_id or WORLD['key_id']}\n"
    if secret is not False:
        text += f"aws_secret_access_key={secret or WORLD['secret']}\n"
    return text


class CpaRun:
    """A temporary HOME with a config file, and a runner for cpa in a clean environment."""

    def __init__(self, config_text):
        self.dir = tempfile.mkdtemp(prefix="cpa-aws-test-")
        self.config = os.path.join(self.dir, "config")
        if config_text is not None:
            with open(self.config, "w") as f:
                f.write(config_text)

    def env(self, **extra):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.dir,
               "AWS_CONFIG_FILE": self.config,
               "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.dir, "no-credentials"),
               "AWS_ENDPOINT_URL": MOTO["url"]}
        env.update(extra)
        return env

    def run(self, *args, **extra_env):
        return subprocess.run([CPA, *args], env=self.env(**extra_env), capture_output=True,
                              text=True, timeout=120)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class CpaTestCase(unittest.TestCase):
    def cpa(self, config_text, *args, **extra_env):
        run = CpaRun(config_text)
        self.addCleanup(run.close)
        return run, run.run(*args, **extra_env)

    def assertNoSecrets(self, result):
        for stream in (result.stdout, result.stderr):
            self.assertNotIn(WORLD["secret"], stream)

    def assertFailsNaming(self, result, profile, *fragments):
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn(f"profile `{profile}`", lines[0])
        for fragment in fragments:
            self.assertIn(fragment, lines[0])
        self.assertNoSecrets(result)


class A_Resolution(CpaTestCase):
    def test_whoami_assumes_the_role_of_step6(self):
        run, r = self.cpa(step6_config(), "whoami", "--profile", "default")
        self.assertEqual(r.returncode, 0, r.stderr)
        prefix = f"arn:aws:sts::{WORLD['account']}:assumed-role/curated-packages-role/"
        self.assertIn(prefix, r.stdout)
        self.assertIn(f"Account:      {WORLD['account']}", r.stdout)
        self.assertIn(f"static keys from profile `curated-packages-user` in {run.config}",
                      r.stdout)
        self.assertIn(f"AssumeRole {WORLD['role_arn']} via profile `default`", r.stdout)
        self.assertIn(f"Region:       {REGION} (profile `default`)", r.stdout)
        self.assertIn("(with session token ****)", r.stdout)
        self.assertNoSecrets(r)

    def test_default_chain_without_profile_flag(self):
        _, r = self.cpa(step6_config(), "whoami")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("assumed-role/curated-packages-role/", r.stdout)

    def test_whoami_json(self):
        _, r = self.cpa(step6_config(), "whoami", "--profile", "default", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertTrue(out["Arn"].startswith(
            f"arn:aws:sts::{WORLD['account']}:assumed-role/curated-packages-role/"))
        self.assertEqual(out["Account"], WORLD["account"])
        self.assertEqual(out["Profile"], "default")
        self.assertEqual([link["kind"] for link in out["CredentialChain"]],
                         ["static", "assume-role"])
        self.assertEqual(out["SessionToken"], "****")
        self.assertTrue(out["AccessKeyId"].startswith("****"))
        self.assertNoSecrets(r)

    def test_source_profile_alone_is_the_user(self):
        _, r = self.cpa(step6_config(), "whoami", "--profile", "curated-packages-user")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"arn:aws:iam::{WORLD['account']}:user/curated-packages-user", r.stdout)

    def test_endpoint_url_flag_and_region_flag(self):
        # Role assumption follows AWS_ENDPOINT_URL; GetCallerIdentity goes to --endpoint-url.
        _, r = self.cpa(step6_config(), "whoami", "--region", "eu-west-1", "--endpoint-url",
                        MOTO["url"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Region:       eu-west-1 (--region)", r.stdout)

    def test_ecr_login_prints_a_password(self):
        _, r = self.cpa(step6_config(), "ecr-login", "--profile", "default")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1)
        self.assertTrue(lines[0].strip())
        self.assertNoSecrets(r)

    def test_ecr_login_for_a_registry_host(self):
        host = f"{PACKAGES_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
        _, r = self.cpa(step6_config(), "ecr-login", "--profile", "default", "--registry", host)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.strip())

    def test_ecr_login_rejects_a_non_ecr_registry(self):
        _, r = self.cpa(step6_config(), "ecr-login", "--registry", "docker.io")
        self.assertFailsNaming(r, "default", "not an ECR registry host")


class B_BadInput(CpaTestCase):
    def test_unreadable_config_file(self):
        run = CpaRun(None)
        self.addCleanup(run.close)
        os.mkdir(run.config)  # a directory: unreadable as a file even for root
        r = run.run("whoami", "--profile", "default")
        self.assertFailsNaming(r, "default", "cannot read the AWS config file", run.config)
        if os.geteuid() != 0:
            os.rmdir(run.config)
            with open(run.config, "w") as f:
                f.write(step6_config())
            os.chmod(run.config, 0)
            r = run.run("whoami", "--profile", "default")
            self.assertFailsNaming(r, "default", "cannot read the AWS config file")

    def test_unknown_profile(self):
        _, r = self.cpa(step6_config(), "whoami", "--profile", "no-such-profile")
        self.assertFailsNaming(r, "no-such-profile", "not found")

    def test_unknown_profile_from_aws_profile(self):
        _, r = self.cpa(step6_config(), "ecr-login", AWS_PROFILE="missing")
        self.assertFailsNaming(r, "missing", "not found")

    def test_source_profile_cycle(self):
        cycle = ("[default]\nsource_profile=b\nrole_arn=arn:aws:iam::123456789012:role/a\n"
                 "[profile b]\nsource_profile=default\n"
                 "role_arn=arn:aws:iam::123456789012:role/b\n")
        _, r = self.cpa(cycle, "whoami", "--profile", "default")
        self.assertFailsNaming(r, "default", "infinite loop", "`b`")

    def test_missing_secret_key(self):
        _, r = self.cpa(step6_config(secret=False), "whoami", "--profile", "default")
        self.assertFailsNaming(r, "curated-packages-user", "aws_secret_access_key")

    def test_missing_source_profile(self):
        text = "[default]\nrole_arn=arn:aws:iam::123456789012:role/x\nsource_profile=nobody\n"
        _, r = self.cpa(text, "whoami", "--profile", "default")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nobody", r.stderr)
        self.assertIn("`default`", r.stderr)

    def test_unparsable_config_names_file_and_line(self):
        run, r = self.cpa("[default]\n= us-west-2\n", "whoami")
        self.assertFailsNaming(r, "default", run.config, "line 2")

    def test_sts_validation_error_is_surfaced(self):
        text = step6_config() + ""
        text = text.replace("region=", "role_session_name=" + "s" * 80 + "\nregion=", 1)
        _, r = self.cpa(text, "whoami", "--profile", "default")
        self.assertFailsNaming(r, "default", "AssumeRole", "ValidationError")


class C_IamEnforced(CpaTestCase):
    """Runs last: from here on moto checks every request against IAM (identity policies)."""

    @classmethod
    def setUpClass(cls):
        req = urllib.request.Request(MOTO["url"] + "/moto-api/reset-auth", data=b"0",
                                     method="POST", headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200

    # No positive case here: moto's trust-policy check compares the caller's ARN literally with
    # the Principal, so the spec's `arn:aws:iam::<account>:root` principal (any principal of the
    # account, on AWS) never matches the user there. The unenforced cases above cover success.

    def test_role_that_does_not_exist(self):
        missing = f"arn:aws:iam::{WORLD['account']}:role/no-such-role"
        _, r = self.cpa(step6_config(role_arn=missing), "whoami", "--profile", "default")
        self.assertFailsNaming(r, "default", "AssumeRole", missing, "AccessDenied")

    def test_unknown_access_key(self):
        _, r = self.cpa(step6_config(key_id="AKIAUNKNOWNKEY000000"), "whoami", "--profile",
                        "default")
        self.assertFailsNaming(r, "default", "AssumeRole", "InvalidClientTokenId")


def setUpModule():
    global MOTO
    MOTO = start_moto()
    try:
        create_world()
    except BaseException:
        stop_moto(MOTO)
        MOTO = None
        raise


def tearDownModule():
    if MOTO is not None:
        stop_moto(MOTO)


if __name__ == "__main__":
    CPA = os.path.abspath(sys.argv.pop(1))
    started = time.time()
    try:
        unittest.main(verbosity=2)
    finally:
        print(f"aws_test.py: {time.time() - started:.1f} s", file=sys.stderr)
