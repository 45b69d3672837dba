#!/usr/bin/env python3
"""End to end: `cpa serve` with boto3 running the spec's steps 2-6 and the negative cases.

Starts `cpa serve --listen 127.0.0.1:0 --data <tmp> --test-clock --audit <tmp>/audit.jsonl`
itself, reads the port from its ready line, and always stops it (SIGTERM, then SIGKILL).

Usage: serve_boto3_test.py PATH_TO_CPA
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
import time
import unittest
import urllib.request

import boto3
import botocore.exceptions

CPA = None
SERVER = {}
REGION = "us-west-2"
PACKAGES_ACCOUNT = "346438352937"

ECR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ECRRead",
            "Effect": "Allow",
            "Action": [
                "ecr:DescribeImageScanFindings", "ecr:GetDownloadUrlForLayer",
                "ecr:DescribeRegistry", "ecr:DescribePullThroughCacheRules",
                "ecr:DescribeImageReplicationStatus", "ecr:ListTagsForResource",
                "ecr:ListImages", "ecr:BatchGetImage", "ecr:DescribeImages",
                "ecr:DescribeRepositories", "ecr:BatchCheckLayerAvailability"
            ],
            "Resource": f"arn:aws:ecr:*:{PACKAGES_ACCOUNT}:repository/*"
        },
        {"Sid": "ECRLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"],
         "Resource": "*"}
    ]
}
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                   "Action": "sts:AssumeRole"}]
}
ASSUME_POLICY = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
                  "Resource": "arn:aws:iam::111111111111:role/curated-packages-role"}
}
ROLE_ARN = "arn:aws:iam::111111111111:role/curated-packages-role"


def start_server():
    data = tempfile.mkdtemp(prefix="cpa-serve-e2e-")
    log = open(os.path.join(data, "server.log"), "w+b")
    proc = subprocess.Popen(
        [CPA, "serve", "--listen", "127.0.0.1:0", "--data", os.path.join(data, "state"),
         "--test-clock", "--audit", os.path.join(data, "audit.jsonl"), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    SERVER.update(proc=proc, data=data, log=log)
    line = proc.stdout.readline().decode()
    m = re.match(r"cpa serve: listening on (http://127\.0\.0\.1:(\d+)), data ", line)
    if not m:
        stop_server()
        raise RuntimeError("no ready line from cpa serve: %r" % line)
    SERVER["url"] = m.group(1)
    creds = configparser.ConfigParser()
    creds.read(os.path.join(data, "state", "root-credentials"))
    SERVER["root"] = {acct: (creds["account-" + acct]["aws_access_key_id"],
                             creds["account-" + acct]["aws_secret_access_key"])
                      for acct in ("111111111111", "999999999999")}


def stop_server():
    proc = SERVER.get("proc")
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            SERVER["exit"] = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if SERVER.get("data"):
        shutil.rmtree(SERVER["data"], ignore_errors=True)


def client(service, key, secret, token=None):
    return boto3.client(service, endpoint_url=SERVER["url"], region_name=REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token)


def root(service, acct):
    key, secret = SERVER["root"][acct]
    return client(service, key, secret)


def error_code(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    return None, None


class SpecSteps(unittest.TestCase):
    """Steps 2-6 of the spec, in order (the class keeps their state)."""

    @classmethod
    def setUpClass(cls):
        cls.state = {}

    def test_1_step2_policy(self):
        iam = root("iam", "111111111111")
        p = iam.create_policy(PolicyName="curated-packages-policy",
                              PolicyDocument=json.dumps(ECR_POLICY))["Policy"]
        self.assertEqual(p["Arn"], "arn:aws:iam::111111111111:policy/curated-packages-policy")
        self.assertEqual(p["DefaultVersionId"], "v1")
        got = iam.get_policy(PolicyArn=p["Arn"])["Policy"]
        self.assertEqual(got["PolicyName"], "curated-packages-policy")
        v = iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
        self.assertEqual(v["Document"], ECR_POLICY)  # botocore URL-decodes and parses it

    def test_2_step3_role(self):
        iam = root("iam", "111111111111")
        r = iam.create_role(RoleName="curated-packages-role",
                            AssumeRolePolicyDocument=json.dumps(TRUST_POLICY))["Role"]
        self.assertEqual(r["Arn"], ROLE_ARN)
        self.assertTrue(r["RoleId"].startswith("AROA"))
        iam.attach_role_policy(
            RoleName="curated-packages-role",
            PolicyArn="arn:aws:iam::111111111111:policy/curated-packages-policy")
        got = iam.get_role(RoleName="curated-packages-role")["Role"]
        self.assertEqual(got["AssumeRolePolicyDocument"], TRUST_POLICY)
        self.assertEqual(got["MaxSessionDuration"], 3600)
        att = iam.list_attached_role_policies(RoleName="curated-packages-role")
        self.assertEqual([a["PolicyName"] for a in att["AttachedPolicies"]],
                         ["curated-packages-policy"])

    def test_3_step4_user(self):
        iam = root("iam", "999999999999")
        p = iam.create_policy(PolicyName="curated-packages-assume-role-policy",
                              PolicyDocument=json.dumps(ASSUME_POLICY))["Policy"]
        u = iam.create_user(UserName="curated-packages-user")["User"]
        self.assertEqual(u["Arn"], "arn:aws:iam::999999999999:user/curated-packages-user")
        iam.attach_user_policy(UserName="curated-packages-user", PolicyArn=p["Arn"])
        self.assertEqual(iam.get_user(UserName="curated-packages-user")["User"]["UserId"],
                         u["UserId"])
        att = iam.list_attached_user_policies(UserName="curated-packages-user")
        self.assertEqual([a["PolicyArn"] for a in att["AttachedPolicies"]], [p["Arn"]])

    def test_4_step5_access_key(self):
        iam = root("iam", "999999999999")
        k = iam.create_access_key(UserName="curated-packages-user")["AccessKey"]
        self.assertTrue(k["AccessKeyId"].startswith("AKIA"))
        self.assertEqual(len(k["SecretAccessKey"]), 40)
        keys = iam.list_access_keys(UserName="curated-packages-user")["AccessKeyMetadata"]
        self.assertEqual([x["AccessKeyId"] for x in keys], [k["AccessKeyId"]])
        SpecSteps.state["key"] = k

    def test_5_step6_config_file(self):
        k = SpecSteps.state["key"]
        d = tempfile.mkdtemp(prefix="cpa-e2e-config-")
        try:
            path = os.path.join(d, "config")
            with open(path, "w") as f:
                f.write("[default]\nsource_profile=curated-packages-user\n"
                        f"role_arn={ROLE_ARN}\nregion={REGION}\n\n"
                        "[profile curated-packages-user]\n"
                        f"aws_access_key_id={k['AccessKeyId']}\n"
                        f"aws_secret_access_key={k['SecretAccessKey']}\n")
            env = {"AWS_CONFIG_FILE": path, "AWS_ENDPOINT_URL": SERVER["url"],
                   "AWS_SHARED_CREDENTIALS_FILE": os.path.join(d, "none")}
            saved = {n: os.environ.get(n) for n in list(env) + ["AWS_PROFILE",
                     "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]}
            for n in saved:
                os.environ.pop(n, None)
            os.environ.update(env)
            try:
                session = boto3.Session(profile_name="default")
                ident = session.client("sts").get_caller_identity()
            finally:
                for n, v in saved.items():
                    if v is None:
                        os.environ.pop(n, None)
                    else:
                        os.environ[n] = v
            self.assertEqual(ident["Account"], "111111111111")
            self.assertTrue(ident["Arn"].startswith(
                "arn:aws:sts::111111111111:assumed-role/curated-packages-role/"), ident["Arn"])
            self.assertTrue(ident["UserId"].startswith("AROA"))
        finally:
            shutil.rmtree(d, ignore_errors=True)


class Negative(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        iam1 = root("iam", "111111111111")
        try:
            iam1.create_role(RoleName="neg-role", AssumeRolePolicyDocument=json.dumps(TRUST_POLICY))
        except botocore.exceptions.ClientError:
            pass
        iam = root("iam", "999999999999")
        iam.create_user(UserName="no-assume-user")
        cls.key = iam.create_access_key(UserName="no-assume-user")["AccessKey"]
        iam.create_user(UserName="assumer")
        iam.put_user_policy(UserName="assumer", PolicyName="assume", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Resource": "*"}}))
        cls.assumer = iam.create_access_key(UserName="assumer")["AccessKey"]

    def test_user_without_assume_policy_is_denied(self):
        sts = client("sts", self.key["AccessKeyId"], self.key["SecretAccessKey"])
        code, msg = error_code(sts.assume_role, RoleArn="arn:aws:iam::111111111111:role/neg-role",
                               RoleSessionName="s1")
        self.assertEqual(code, "AccessDenied")
        self.assertEqual(msg, "User: arn:aws:iam::999999999999:user/no-assume-user is not "
                         "authorized to perform: sts:AssumeRole on resource: "
                         "arn:aws:iam::111111111111:role/neg-role because no identity-based "
                         "policy allows the sts:AssumeRole action")

    def test_missing_role_is_a_plain_denial(self):
        sts = client("sts", self.assumer["AccessKeyId"], self.assumer["SecretAccessKey"])
        code, msg = error_code(sts.assume_role, RoleArn="arn:aws:iam::111111111111:role/nope",
                               RoleSessionName="s1")
        self.assertEqual(code, "AccessDenied")
        self.assertTrue(msg.endswith("on resource: arn:aws:iam::111111111111:role/nope"), msg)

    def test_user_cannot_call_iam_without_policy(self):
        iam = client("iam", self.key["AccessKeyId"], self.key["SecretAccessKey"])
        code, msg = error_code(iam.create_user, UserName="x")
        self.assertEqual(code, "AccessDenied")
        self.assertIn("iam:CreateUser on resource: arn:aws:iam::999999999999:user/x", msg)

    def test_wrong_secret(self):
        sts = client("sts", self.key["AccessKeyId"], "x" * 40)
        self.assertEqual(error_code(sts.get_caller_identity)[0], "SignatureDoesNotMatch")

    def test_old_date(self):
        import botocore.auth
        real = botocore.auth.datetime.datetime
        class Old(real):
            @classmethod
            def utcnow(cls):
                return real.utcnow() - __import__("datetime").timedelta(hours=1)
            @classmethod
            def now(cls, tz=None):
                return real.now(tz) - __import__("datetime").timedelta(hours=1)
        botocore.auth.datetime.datetime = Old
        try:
            sts = client("sts", self.key["AccessKeyId"], self.key["SecretAccessKey"])
            code = error_code(sts.get_caller_identity)[0]
        finally:
            botocore.auth.datetime.datetime = real
        self.assertIn(code, ("RequestExpired", "SignatureDoesNotMatch"))

    def test_deleted_key(self):
        iam = root("iam", "999999999999")
        k = iam.create_access_key(UserName="no-assume-user")["AccessKey"]
        sts = client("sts", k["AccessKeyId"], k["SecretAccessKey"])
        self.assertEqual(sts.get_caller_identity()["Arn"],
                         "arn:aws:iam::999999999999:user/no-assume-user")
        iam.delete_access_key(UserName="no-assume-user", AccessKeyId=k["AccessKeyId"])
        self.assertEqual(error_code(sts.get_caller_identity)[0], "InvalidClientTokenId")

    def test_inactive_key(self):
        iam = root("iam", "999999999999")
        k = iam.create_access_key(UserName="assumer")["AccessKey"]
        sts = client("sts", k["AccessKeyId"], k["SecretAccessKey"])
        iam.update_access_key(UserName="assumer", AccessKeyId=k["AccessKeyId"], Status="Inactive")
        self.assertEqual(error_code(sts.get_caller_identity)[0], "InvalidClientTokenId")
        iam.delete_access_key(UserName="assumer", AccessKeyId=k["AccessKeyId"])

    def test_session_name_and_duration_rules(self):
        sts = client("sts", self.assumer["AccessKeyId"], self.assumer["SecretAccessKey"])
        code, msg = error_code(sts.assume_role, RoleArn="arn:aws:iam::111111111111:role/neg-role",
                               RoleSessionName="bad:name")
        self.assertEqual(code, "ValidationError")
        self.assertIn("at 'roleSessionName' failed to satisfy constraint", msg)
        code, msg = error_code(sts.assume_role, RoleArn="arn:aws:iam::111111111111:role/neg-role",
                               RoleSessionName="ok", DurationSeconds=7200)
        self.assertEqual(code, "ValidationError")
        self.assertIn("MaxSessionDuration", msg)

    def test_unknown_action(self):
        iam = root("iam", "111111111111")
        import botocore.awsrequest  # noqa: F401
        # Raw signed request with an unknown Action.
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        creds = boto3.Session(aws_access_key_id=SERVER["root"]["111111111111"][0],
                              aws_secret_access_key=SERVER["root"]["111111111111"][1]
                              ).get_credentials()
        req = AWSRequest(method="POST", url=SERVER["url"] + "/",
                         data="Action=NoSuchThing&Version=2010-05-08",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        SigV4Auth(creds, "iam", "us-east-1").add_auth(req)
        r = urllib.request.Request(req.url, data=req.body, headers=dict(req.headers),
                                   method="POST")
        try:
            urllib.request.urlopen(r)
            self.fail("expected an error")
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, 400)
            body = e.read().decode()
            self.assertIn("<Code>InvalidAction</Code>", body)
            self.assertIsNotNone(e.headers.get("x-amzn-RequestId"))
        del iam


class Pagination(unittest.TestCase):
    def test_list_users_marker(self):
        iam = root("iam", "111111111111")
        for i in range(5):
            iam.create_user(UserName=f"page-user-{i}", Path="/page/")
        names, marker = [], None
        while True:
            kw = {"PathPrefix": "/page/", "MaxItems": 2}
            if marker:
                kw["Marker"] = marker
            r = iam.list_users(**kw)
            names += [u["UserName"] for u in r["Users"]]
            if not r["IsTruncated"]:
                break
            marker = r["Marker"]
        self.assertEqual(names, [f"page-user-{i}" for i in range(5)])



class Simulator(unittest.TestCase):
    def test_resources_are_owned_by_the_caller_account_unless_resource_owner(self):
        iam = root("iam", "111111111111")
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage",
                                                       "Resource": "arn:aws:ecr:*:783794618700:repository/*"}]}
        iam.create_user(UserName="sim-user")
        iam.put_user_policy(UserName="sim-user", PolicyName="p", PolicyDocument=json.dumps(doc))
        repo = "arn:aws:ecr:us-west-2:783794618700:repository/x"
        r = iam.simulate_principal_policy(
            PolicySourceArn="arn:aws:iam::111111111111:user/sim-user",
            ActionNames=["ecr:BatchGetImage", "ecr:PutImage"], ResourceArns=[repo])
        self.assertEqual([e["EvalDecision"] for e in r["EvaluationResults"]], ["allowed", "implicitDeny"])
        # Owned by the packages account, with no resource policy: the cross-account rule applies.
        r = iam.simulate_principal_policy(
            PolicySourceArn="arn:aws:iam::111111111111:user/sim-user",
            ActionNames=["ecr:BatchGetImage"], ResourceArns=[repo], ResourceOwner="783794618700")
        self.assertEqual(r["EvaluationResults"][0]["EvalDecision"], "implicitDeny")
        r = iam.simulate_custom_policy(PolicyInputList=[json.dumps(doc)],
                                       ActionNames=["ecr:BatchGetImage"], ResourceArns=[repo])
        self.assertEqual(r["EvaluationResults"][0]["EvalDecision"], "allowed")


class ZExpiry(unittest.TestCase):
    """Last (unittest runs classes in name order): it moves the server's clock forward."""

    @classmethod
    def setUpClass(cls):
        cls.assumer = Negative.assumer

    def test_expired_session(self):
        sts = client("sts", self.assumer["AccessKeyId"], self.assumer["SecretAccessKey"])
        c = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/neg-role",
                            RoleSessionName="exp", DurationSeconds=900)["Credentials"]
        self.assertTrue(c["AccessKeyId"].startswith("ASIA"))
        s2 = client("sts", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        self.assertIn("assumed-role/neg-role/exp", s2.get_caller_identity()["Arn"])
        bad = client("sts", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"] + "x")
        self.assertEqual(error_code(bad.get_caller_identity)[0], "InvalidClientTokenId")
        req = urllib.request.Request(SERVER["url"] + "/_cpa/test/advance-clock?seconds=901",
                                     method="POST")
        urllib.request.urlopen(req).read()
        # The session expired; the request is signed with the server's skewed time in mind.
        import botocore.auth
        real = botocore.auth.datetime.datetime
        class Later(real):
            @classmethod
            def utcnow(cls):
                return real.utcnow() + __import__("datetime").timedelta(seconds=901)
            @classmethod
            def now(cls, tz=None):
                return real.now(tz) + __import__("datetime").timedelta(seconds=901)
        botocore.auth.datetime.datetime = Later
        try:
            self.assertEqual(error_code(s2.get_caller_identity)[0], "ExpiredToken")
        finally:
            botocore.auth.datetime.datetime = real


    def test_z_audit_log_has_no_secrets(self):
        with open(os.path.join(SERVER["data"], "audit.jsonl")) as f:
            lines = [json.loads(x) for x in f]
        self.assertTrue(any(x["action"] == "sts:AssumeRole" and x["decision"] == "allowed"
                            and x["principal"].endswith(":user/curated-packages-user")
                            for x in lines))
        self.assertTrue(any(x["action"] == "sts:AssumeRole" and x["decision"] == "implicitDeny"
                            for x in lines))
        for x in lines:
            self.assertEqual(set(x), {"time", "requestId", "principal", "account", "sourceIp",
                                      "action", "resource", "decision", "statement"})
        text = json.dumps(lines)
        self.assertNotIn(Negative.key["SecretAccessKey"], text)


def main():
    global CPA
    CPA = sys.argv.pop(1)
    start_server()
    try:
        prog = unittest.main(exit=False, verbosity=2)
        ok = prog.result.wasSuccessful()
    finally:
        stop_server()
    if SERVER.get("exit") not in (0, None):
        print("cpa serve exited with", SERVER.get("exit"))
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
