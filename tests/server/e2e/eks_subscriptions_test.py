#!/usr/bin/env python3
"""End to end: EKS Anywhere subscriptions on `cpa serve` with the AWS CLI v1.

Starts `cpa serve --listen 127.0.0.1:0 --data <tmp> --test-clock` itself, reads the port from
its ready line, and always stops it (SIGTERM, then SIGKILL). The AWS CLI v1 (`aws` on PATH, or
`python3 -m awscli`) runs create/describe/list/update/delete and the tag operations with
AWS_ENDPOINT_URL, as a person would; its EKS model comes from `cpa cli-model eks --data-path`
through AWS_DATA_PATH, so that `--query 'subscription.packageRegistry'` (the spec's step 1)
prints the registry. A raw request signed with botocore's SigV4Auth shows the members on the
wire.

Usage: eks_subscriptions_test.py PATH_TO_CPA
"""
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
import urllib.error
import urllib.parse
import urllib.request

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CPA = None
SERVER = {}
REGION = "us-west-2"
ACCOUNT = "111111111111"
PROFILE = "account-" + ACCOUNT
# The curated packages registry account of us-west-2; cpa serve's registry domain is localhost.
REGISTRY = "346438352937.dkr.ecr.us-west-2.localhost"
YEAR_AND_MORE = 400 * 24 * 3600

# Runs the AWS CLI v1 with botocore's signing clock moved by argv[1] seconds, for requests to a
# server whose test clock was advanced (SigV4 allows 15 minutes of skew).
SHIFTED_CLI = r"""
import datetime, sys
shift = datetime.timedelta(seconds=float(sys.argv.pop(1)))
import botocore.auth
now = botocore.auth.get_current_datetime
botocore.auth.get_current_datetime = lambda *a, **k: now(*a, **k) + shift
import awscli.clidriver
sys.argv[0] = "aws"
sys.exit(awscli.clidriver.main())
"""


class CliError(Exception):
    def __init__(self, code, message, stderr):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.stderr = code, message, stderr


def start_server():
    data = tempfile.mkdtemp(prefix="cpa-eks-e2e-")
    log = open(os.path.join(data, "server.log"), "w+b")
    proc = subprocess.Popen(
        [CPA, "serve", "--listen", "127.0.0.1:0", "--data", os.path.join(data, "state"),
         "--test-clock", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    SERVER.update(proc=proc, data=data, log=log)
    line = proc.stdout.readline().decode()
    m = re.match(r"cpa serve: listening on (http://127\.0\.0\.1:(\d+)), data ", line)
    if not m:
        stop_server()
        raise RuntimeError("no ready line from cpa serve: %r" % line)
    SERVER["url"] = m.group(1)
    SERVER["credentials_file"] = os.path.join(data, "state", "root-credentials")
    creds = configparser.ConfigParser()
    creds.read(SERVER["credentials_file"])
    SERVER["root"] = (creds[PROFILE]["aws_access_key_id"], creds[PROFILE]["aws_secret_access_key"])
    SERVER["home"] = os.path.join(data, "home")
    os.makedirs(SERVER["home"])
    SERVER["empty_config"] = os.path.join(data, "empty-config")
    open(SERVER["empty_config"], "w").close()
    SERVER["models"] = os.path.join(data, "models")
    subprocess.run([CPA, "cli-model", "eks", "--data-path", SERVER["models"]], check=True,
                   capture_output=True)
    SERVER["clock_shift"] = 0


def stop_server():
    proc = SERVER.get("proc")
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            SERVER["exit"] = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if SERVER.get("log"):
        SERVER["log"].close()
    if SERVER.get("data"):
        shutil.rmtree(SERVER["data"], ignore_errors=True)


def environ(extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update({"HOME": SERVER["home"], "AWS_CONFIG_FILE": SERVER["empty_config"],
                "AWS_SHARED_CREDENTIALS_FILE": SERVER["credentials_file"],
                "AWS_ENDPOINT_URL": SERVER["url"], "AWS_DEFAULT_REGION": REGION,
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    env.update(extra)
    return env


def find_cli_v1():
    """`aws` on PATH when it is the AWS CLI v1, else `python3 -m awscli` (v1's module)."""
    candidates = []
    if shutil.which("aws"):
        candidates.append([shutil.which("aws")])
    candidates.append([sys.executable, "-m", "awscli"])
    for cmd in candidates:
        out = subprocess.run(cmd + ["--version"], capture_output=True, text=True,
                             env=environ({}))
        if (out.stdout + out.stderr).startswith("aws-cli/1."):
            return cmd
    raise SystemExit("the AWS CLI v1 is not installed (neither `aws` nor python3 -m awscli)")


def aws(*args, model=True, keys=None, shift=None):
    """Runs `aws eks ...` (JSON output) and returns the parsed output; CliError on failure."""
    extra = {}
    if model:
        extra["AWS_DATA_PATH"] = SERVER["models"]
    argv = list(args)
    if keys is None:
        argv += ["--profile", PROFILE]
    else:
        extra["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(SERVER["home"], "none")
        extra["AWS_ACCESS_KEY_ID"], extra["AWS_SECRET_ACCESS_KEY"] = keys
    shift = SERVER["clock_shift"] if shift is None else shift
    cmd = list(SERVER["cli"])
    if shift:
        cmd = [sys.executable, "-c", SHIFTED_CLI, str(shift)]
    out = subprocess.run(cmd + argv + ["--output", "json"], capture_output=True, text=True,
                         env=environ(extra), timeout=120)
    if out.returncode != 0:
        m = re.search(r"An error occurred \(([^)]+)\) when calling the (\w+) operation: ?(.*)",
                      out.stderr)
        if m:
            raise CliError(m.group(1), m.group(3).strip(), out.stderr)
        raise CliError("CliFailure", out.stderr.strip()[-500:], out.stderr)
    return json.loads(out.stdout) if out.stdout.strip() else None


def cli_error(*args, **kwargs):
    try:
        aws(*args, **kwargs)
    except CliError as e:
        return e
    raise AssertionError("expected the AWS CLI to fail: %r" % (args,))


def signed(method, path, body=None):
    """A raw request signed with botocore's SigV4Auth for eks; (status, parsed JSON body)."""
    url = SERVER["url"] + path
    headers = {"Content-Type": "application/json"} if body is not None else {}
    req = AWSRequest(method=method, url=url, data=body or b"", headers=headers)
    SigV4Auth(Credentials(*SERVER["root"]), "eks", REGION).add_auth(req)
    raw = urllib.request.Request(url, data=body.encode() if body else None,
                                 headers=dict(req.headers.items()), method=method)
    try:
        with urllib.request.urlopen(raw, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), dict(e.headers)


class CliModel(unittest.TestCase):
    """`cpa cli-model eks` on a given base model: members added, the rest kept, clear failures."""

    def run_cpa(self, *args):
        return subprocess.run([CPA, "cli-model", *args], capture_output=True, text=True)

    def test_extends_the_structure_and_keeps_the_rest(self):
        base = {"metadata": {"apiVersion": "2017-11-01", "protocol": "rest-json"},
                "operations": {"X": {"name": "X"}},
                "shapes": {"EksAnywhereSubscription": {"type": "structure", "members": {
                    "id": {"shape": "String"}, "name": {"shape": "Custom"}}},
                    "String": {"type": "string"}}}
        path = os.path.join(SERVER["data"], "base.json")
        with open(path, "w") as f:
            json.dump(base, f)
        out = self.run_cpa("eks", "--base", path)
        self.assertEqual(out.returncode, 0, out.stderr)
        model = json.loads(out.stdout)
        members = model["shapes"]["EksAnywhereSubscription"]["members"]
        self.assertEqual(members["packageRegistry"]["shape"], "String")
        self.assertEqual(members["name"], {"shape": "Custom"})  # present already: kept
        self.assertEqual(members["id"], {"shape": "String"})
        self.assertEqual(model["operations"], base["operations"])
        self.assertEqual(model["metadata"], base["metadata"])
        target = os.path.join(SERVER["data"], "out", "eks.json")
        out = self.run_cpa("eks", "--base", path, "--out", target)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(target) as f:
            self.assertEqual(json.load(f), model)

    def test_fails_clearly(self):
        path = os.path.join(SERVER["data"], "old.json")
        with open(path, "w") as f:
            json.dump({"metadata": {"apiVersion": "2017-11-01"}, "shapes": {}}, f)
        out = self.run_cpa("eks", "--base", path)
        self.assertEqual(out.returncode, 1)
        self.assertIn("no EksAnywhereSubscription structure", out.stderr)
        self.assertEqual(out.stdout, "")
        out = self.run_cpa("eks", "--base", os.path.join(SERVER["data"], "missing.json"))
        self.assertEqual(out.returncode, 1)
        self.assertIn("cannot open", out.stderr)
        out = self.run_cpa("s3")
        self.assertEqual(out.returncode, 1)
        self.assertIn("unknown service s3", out.stderr)


class EksSubscriptions(unittest.TestCase):
    """In order: the class keeps the subscriptions made."""

    state = {}

    def test_1_create(self):
        out = aws("eks", "create-eks-anywhere-subscription", "--name", "my-subscription",
                  "--term", "duration=12,unit=MONTHS", "--license-quantity", "1",
                  "--license-type", "Cluster", "--no-auto-renew",
                  "--tags", "environment=prod")
        s = out["subscription"]
        self.assertRegex(s["id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                  r"[0-9a-f]{12}$")
        self.assertEqual(s["arn"], f"arn:aws:eks:{REGION}:{ACCOUNT}:eks-anywhere-subscription/"
                                   + s["id"])
        self.assertEqual(s["name"], "my-subscription")
        self.assertEqual(s["status"], "CREATING")
        self.assertEqual(s["term"], {"duration": 12, "unit": "MONTHS"})
        self.assertEqual(s["licenseType"], "CLUSTER")
        self.assertEqual(s["tags"], {"environment": "prod"})
        self.assertEqual(s["packageRegistry"], REGISTRY)
        # The CLI v1 prints timestamps as they travel (cli_timestamp_format none): epoch seconds.
        self.assertIsInstance(s["createdAt"], (int, float))
        self.assertEqual(s["effectiveDate"], s["createdAt"])
        self.assertGreater(s["expirationDate"] - s["createdAt"], 364 * 24 * 3600)
        self.state["id"] = s["id"]
        self.state["arn"] = s["arn"]

    def test_2_spec_step1_describe_query_package_registry(self):
        sid = self.state["id"]
        out = aws("eks", "describe-eks-anywhere-subscription", "--region", REGION, "--id", sid,
                  "--query", "subscription.packageRegistry")
        self.assertEqual(out, REGISTRY)
        account = out.split(".")[0]
        self.assertEqual(account, "346438352937")
        full = aws("eks", "describe-eks-anywhere-subscription", "--id", sid)["subscription"]
        self.assertEqual(full["status"], "ACTIVE")
        self.assertEqual(len(full["licenseArns"]), 1)
        self.assertRegex(full["licenseArns"][0],
                         rf"^arn:aws:license-manager::{ACCOUNT}:license:l-[0-9a-f]{{32}}$")
        # With the SDK's own model the CLI drops the unmodelled member: the reason for cli-model.
        plain = aws("eks", "describe-eks-anywhere-subscription", "--id", sid,
                    "--query", "subscription.packageRegistry", model=False)
        self.assertIsNone(plain)

    def test_3_raw_signed_request_has_package_registry(self):
        status, body, headers = signed("GET", "/eks-anywhere-subscriptions/" + self.state["id"])
        self.assertEqual(status, 200, body)
        s = body["subscription"]
        self.assertEqual(s["packageRegistry"], REGISTRY)
        self.assertEqual(s["name"], "my-subscription")
        self.assertIsInstance(s["createdAt"], (int, float))  # epoch seconds on the wire
        self.assertIn("x-amzn-RequestId", headers)
        # A label holding an ARN travels percent-encoded (':' and '/'); botocore signs the
        # encoded path encoded once more.
        path = "/tags/" + urllib.parse.quote(self.state["arn"], safe="")
        status, body, _ = signed("GET", path)
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"tags": {"environment": "prod"}})
        status, body, headers = signed("GET", "/eks-anywhere-subscriptions/no-such-id")
        self.assertEqual(status, 404)
        self.assertEqual(body["__type"], "ResourceNotFoundException")
        self.assertEqual(headers.get("x-amzn-ErrorType"), "ResourceNotFoundException")
        self.assertEqual(body["subscriptionId"], "no-such-id")

    def test_4_list_filter_and_pages(self):
        second = aws("eks", "create-eks-anywhere-subscription", "--name", "second",
                     "--term", "duration=36,unit=MONTHS")["subscription"]
        self.state["second"] = second["id"]
        # --page-size 1 makes the CLI follow nextToken across two requests.
        out = aws("eks", "list-eks-anywhere-subscriptions", "--page-size", "1")
        self.assertEqual([s["id"] for s in out["subscriptions"]],
                         [self.state["id"], second["id"]])
        self.assertEqual(out["subscriptions"][0]["packageRegistry"], REGISTRY)
        out = aws("eks", "list-eks-anywhere-subscriptions", "--include-status", "EXPIRED",
                  "DELETING")
        self.assertEqual(out["subscriptions"], [])
        out = aws("eks", "list-eks-anywhere-subscriptions", "--include-status", "ACTIVE",
                  "--query", "subscriptions[].name")
        self.assertEqual(out, ["my-subscription", "second"])

    def test_5_update_auto_renew(self):
        sid = self.state["id"]
        s = aws("eks", "update-eks-anywhere-subscription", "--id", sid,
                "--auto-renew")["subscription"]
        self.assertTrue(s["autoRenew"])
        s = aws("eks", "update-eks-anywhere-subscription", "--id", sid,
                "--no-auto-renew")["subscription"]
        self.assertFalse(s["autoRenew"])
        self.assertEqual(s["status"], "ACTIVE")

    def test_6_tags(self):
        arn = self.state["arn"]
        self.assertIsNone(aws("eks", "tag-resource", "--resource-arn", arn,
                              "--tags", "team=blue,tier=gold"))
        self.assertIsNone(aws("eks", "untag-resource", "--resource-arn", arn,
                              "--tag-keys", "tier"))
        out = aws("eks", "list-tags-for-resource", "--resource-arn", arn)
        self.assertEqual(out["tags"], {"environment": "prod", "team": "blue"})
        e = cli_error("eks", "list-tags-for-resource", "--resource-arn",
                      arn.replace(self.state["id"], "00000000-0000-4000-8000-000000000000"))
        self.assertEqual(e.code, "NotFoundException")

    def test_7_errors(self):
        e = cli_error("eks", "create-eks-anywhere-subscription", "--name", "bad-term",
                      "--term", "duration=24,unit=MONTHS")
        self.assertEqual(e.code, "InvalidParameterException")
        e = cli_error("eks", "create-eks-anywhere-subscription", "--name", "my-subscription",
                      "--term", "duration=12,unit=MONTHS")
        self.assertEqual(e.code, "InvalidParameterException")
        self.assertIn("already exists", e.message)
        e = cli_error("eks", "describe-eks-anywhere-subscription", "--id", "missing")
        self.assertEqual(e.code, "ResourceNotFoundException")
        # Active subscriptions are cancelled through AWS Support, not deleted.
        e = cli_error("eks", "delete-eks-anywhere-subscription", "--id", self.state["id"])
        self.assertEqual(e.code, "InvalidRequestException")
        # The same client request token: the same subscription; other parameters: refused.
        args = ["eks", "create-eks-anywhere-subscription", "--name", "tokened",
                "--term", "duration=12,unit=MONTHS", "--client-request-token", "tok-1"]
        first = aws(*args)["subscription"]
        again = aws(*args)["subscription"]
        self.assertEqual(first["id"], again["id"])
        self.state["tokened"] = first["id"]
        e = cli_error(*args, "--license-quantity", "2")
        self.assertEqual(e.code, "InvalidParameterException")

    def test_8_iam_is_enforced(self):
        iam = boto3.client("iam", endpoint_url=SERVER["url"], region_name=REGION,
                           aws_access_key_id=SERVER["root"][0],
                           aws_secret_access_key=SERVER["root"][1])
        iam.create_user(UserName="eks-reader")
        iam.put_user_policy(
            UserName="eks-reader", PolicyName="describe-one",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": {
                "Effect": "Allow", "Action": "eks:DescribeEksAnywhereSubscription",
                "Resource": self.state["arn"]}}))
        key = iam.create_access_key(UserName="eks-reader")["AccessKey"]
        keys = (key["AccessKeyId"], key["SecretAccessKey"])
        out = aws("eks", "describe-eks-anywhere-subscription", "--id", self.state["id"],
                  "--query", "subscription.packageRegistry", keys=keys)
        self.assertEqual(out, REGISTRY)
        e = cli_error("eks", "describe-eks-anywhere-subscription", "--id", self.state["second"],
                      keys=keys)
        self.assertEqual(e.code, "AccessDeniedException")
        self.assertIn("eks:DescribeEksAnywhereSubscription", e.message)
        e = cli_error("eks", "list-eks-anywhere-subscriptions", keys=keys)
        self.assertEqual(e.code, "AccessDeniedException")

    def test_9_expired_subscription_is_deleted(self):
        req = urllib.request.Request(
            SERVER["url"] + f"/_cpa/test/advance-clock?seconds={YEAR_AND_MORE}", method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 200)
        SERVER["clock_shift"] = YEAR_AND_MORE  # sign at the server's time from now on
        sid = self.state["id"]
        s = aws("eks", "describe-eks-anywhere-subscription", "--id", sid)["subscription"]
        self.assertEqual(s["status"], "EXPIRED")
        e = cli_error("eks", "update-eks-anywhere-subscription", "--id", sid, "--auto-renew")
        self.assertEqual(e.code, "InvalidRequestException")
        s = aws("eks", "delete-eks-anywhere-subscription", "--id", sid)["subscription"]
        self.assertEqual(s["id"], sid)
        self.assertEqual(s["status"], "DELETING")
        e = cli_error("eks", "describe-eks-anywhere-subscription", "--id", sid)
        self.assertEqual(e.code, "ResourceNotFoundException")
        out = aws("eks", "list-eks-anywhere-subscriptions", "--query", "subscriptions[].name")
        self.assertEqual(out, ["second", "tokened"])  # one active (36 months), one expired
        # Deleted subscriptions free their name.
        s = aws("eks", "create-eks-anywhere-subscription", "--name", "my-subscription",
                "--term", "duration=12,unit=MONTHS")["subscription"]
        self.assertNotEqual(s["id"], sid)


def main():
    global CPA
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    CPA = os.path.abspath(sys.argv.pop(1))
    start_server()
    try:
        SERVER["cli"] = find_cli_v1()
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        stop_server()
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
