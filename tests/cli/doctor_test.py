#!/usr/bin/env python3
"""`cpa doctor` against a `cpa serve` the test starts (always stopped at the end): a healthy
chain passes; each broken link fails naming its cause.

The chain is made with `cpa share` (root keys of DATA/root-credentials); the registry hosts
(<account>.dkr.ecr.<region>.localhost) are reached at the server's address with
--registry-address. Tests run in name order over one server.

Usage: doctor_test.py PATH_TO_CPA
"""
import base64
import configparser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import boto3
import yaml

CPA = None
S = {}
REGION = "us-west-2"
SRC = "111111111111"
DST = "999999999999"
HOST = "346438352937.dkr.ecr.us-west-2.localhost"
ROLE = "curated-packages-role"
USER = "curated-packages-user"
ASSUME_ARN = f"arn:aws:iam::{DST}:policy/curated-packages-assume-role-policy"


def setUpModule():
    tmp = tempfile.mkdtemp(prefix="cpa-doctor-test-")
    S["tmp"] = tmp
    S["log"] = open(os.path.join(tmp, "server.log"), "w+b")
    data = os.path.join(tmp, "data")
    proc = subprocess.Popen([CPA, "serve", "--listen", "127.0.0.1:0", "--data", data,
                             "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=S["log"], start_new_session=True)
    S["proc"] = proc
    line = proc.stdout.readline().decode()
    m = re.match(r"cpa serve: listening on http://(127\.0\.0\.1:\d+), data ", line)
    if not m:
        tearDownModule()
        raise RuntimeError("no ready line from cpa serve: %r" % line)
    S["address"] = m.group(1)
    S["url"] = "http://" + m.group(1)
    S["credentials"] = os.path.join(data, "root-credentials")
    creds = configparser.ConfigParser()
    creds.read(S["credentials"])
    S["root"] = {a: (creds["account-" + a]["aws_access_key_id"],
                     creds["account-" + a]["aws_secret_access_key"]) for a in (SRC, DST)}
    S["home"] = os.path.join(tmp, "home")
    os.makedirs(S["home"])
    S["empty_config"] = os.path.join(tmp, "empty-config")
    open(S["empty_config"], "w").close()
    S["out"] = os.path.join(tmp, "out")


def tearDownModule():
    proc = S.get("proc")
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc is not None and proc.stdout:
        proc.stdout.close()
    if S.get("log"):
        S["log"].close()
    if S.get("tmp"):
        shutil.rmtree(S["tmp"], ignore_errors=True)


def cpa(*args, env=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EKSA_"))}
    e.update({"HOME": S["home"], "AWS_SHARED_CREDENTIALS_FILE": S["credentials"],
              "AWS_CONFIG_FILE": S["empty_config"], "AWS_EC2_METADATA_DISABLED": "true"})
    e.update(env or {})
    return subprocess.run([CPA] + list(args), capture_output=True, text=True, env=e, timeout=120)


def doctor(*args, env=None):
    r = cpa("doctor", *args, "--endpoint-url", S["url"], "--registry-endpoint", HOST,
            "--registry-address", S["address"], "--output", "json", env=env)
    return r, json.loads(r.stdout) if r.stdout.startswith("{") else None


def root(service, account):
    key, secret = S["root"][account]
    return boto3.client(service, endpoint_url=S["url"], region_name=REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret)


def config_path():
    return os.path.join(S["out"], "config")


def write(name, text):
    path = os.path.join(S["tmp"], name)
    with open(path, "w") as f:
        f.write(text)
    return path


class DoctorTest(unittest.TestCase):
    def assertLinkFails(self, result, link, *needles):
        r, doc = result
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertFalse(doc["Ok"])
        failed = [l for l in doc["Links"] if l["Status"] == "fail"]
        self.assertEqual([l["Link"] for l in failed], [link], doc)
        for needle in needles:
            self.assertIn(needle, failed[0]["Cause"] + " " + failed[0]["Fix"])
        return failed[0]

    def assertHealthy(self, result):
        r, doc = result
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(doc["Ok"])
        self.assertEqual([l["Link"] for l in doc["Links"]],
                         ["file", "region", "key", "assume-role", "ecr-token", "registry"])

    def test_0_no_subscription(self):
        r = cpa("share", "--source-profile", "account-" + SRC, "--target-profile",
                "account-" + DST, "--region", REGION, "--out", S["out"], "--endpoint-url",
                S["url"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertLinkFails(doctor("--config", config_path()), "registry",
                             "no active EKS Anywhere subscription in us-west-2")

    def test_1_healthy(self):
        root("eks", SRC).create_eks_anywhere_subscription(
            name="doctor-test", term={"duration": 12, "unit": "MONTHS"}, licenseQuantity=1,
            licenseType="Cluster")
        self.assertHealthy(doctor("--config", config_path()))
        self.assertHealthy(doctor("--secret", os.path.join(S["out"], "aws-secret.yaml")))
        r = cpa("doctor", "--config", config_path(), "--endpoint-url", S["url"],
                "--registry-endpoint", HOST, "--registry-address", S["address"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("All links hold.", r.stdout)

    def test_2_deleted_trust_statement(self):
        iam = root("iam", SRC)
        original = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
        other = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole"}]}
        iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(other))
        try:
            self.assertLinkFails(doctor("--config", config_path(), "--diagnose-profile",
                                        "account-" + DST), "assume-role", "trust policy")
            # Without a principal that may simulate, doctor says it cannot tell.
            self.assertLinkFails(doctor("--config", config_path()), "assume-role",
                                 "cannot tell")
        finally:
            doc = original if isinstance(original, str) else json.dumps(original)
            iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=doc)
        self.assertHealthy(doctor("--config", config_path()))

    def test_3_detached_user_policy(self):
        iam = root("iam", DST)
        iam.detach_user_policy(UserName=USER, PolicyArn=ASSUME_ARN)
        try:
            failed = self.assertLinkFails(
                doctor("--config", config_path(), "--diagnose-profile", "account-" + DST),
                "assume-role", "identity policy does not allow sts:AssumeRole")
            self.assertNotIn("trust policy of", failed["Cause"])
        finally:
            iam.attach_user_policy(UserName=USER, PolicyArn=ASSUME_ARN)
        self.assertHealthy(doctor("--config", config_path()))

    def test_4_wrong_secret_key(self):
        with open(config_path()) as f:
            text = f.read()
        secret = re.search(r"aws_secret_access_key=(\S+)", text).group(1)
        wrong = text.replace(secret, ("A" if secret[0] != "A" else "B") + secret[1:])
        failed = self.assertLinkFails(doctor("--config", write("wrong-secret", wrong)), "key",
                                      "secret access key is wrong")
        self.assertNotIn(secret, json.dumps(failed))

    def test_5_wrong_region(self):
        self.assertLinkFails(doctor("--config", config_path(), env={"EKSA_AWS_REGION": "us-east-1"}),
                             "region", "EKSA_AWS_REGION is us-east-1")
        self.assertLinkFails(doctor("--config", config_path(), "--region", "eu-west-1"),
                             "region", "eu-west-1")

    def test_6_malformed_secret(self):
        with open(os.path.join(S["out"], "aws-secret.yaml")) as f:
            good = yaml.safe_load(f)
        cases = [
            ("data.config is not valid base64", lambda d: d["data"].update(config="%%%not-b64")),
            ("named 'wrong'", lambda d: d["metadata"].update(name="wrong")),
            ("namespace 'default'", lambda d: d["metadata"].update(namespace="default")),
            ("no key REGION", lambda d: d["data"].pop("REGION")),
        ]
        for needle, mutate in cases:
            with self.subTest(needle):
                d = json.loads(json.dumps(good))
                mutate(d)
                path = write("secret.yaml", yaml.safe_dump(d))
                self.assertLinkFails(doctor("--secret", path), "file", needle)
        self.assertLinkFails(doctor("--secret", write("garbage.yaml", "kind: [unclosed\n")),
                             "file", "not valid YAML")
        # The config inside, without its user's profile: the chain is incomplete.
        text = base64.b64decode(good["data"]["config"]).decode()
        broken = text.split("[profile")[0]
        d = json.loads(json.dumps(good))
        d["data"]["config"] = base64.b64encode(broken.encode()).decode()
        self.assertLinkFails(doctor("--secret", write("secret2.yaml", yaml.safe_dump(d))), "file")

    def test_7_usage(self):
        r = cpa("doctor")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--config or --secret", r.stderr)


if __name__ == "__main__":
    CPA = sys.argv.pop(1)
    unittest.main()
