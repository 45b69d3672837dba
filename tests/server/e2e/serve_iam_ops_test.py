#!/usr/bin/env python3
"""End to end: the IAM and STS operations of `cpa serve` beyond the spec's steps, with boto3.

Starts `cpa serve --listen 127.0.0.1:0 --data <tmp> --test-clock --access-log <tmp>/access.jsonl
--purge-interval 1` itself, reads the port from its ready line, and always stops it (SIGTERM,
then SIGKILL). Expected codes, HTTP statuses and messages are IAM's and STS's (botocore's
models and the wire-protocol reference).

Test classes run in name order; `ZzClock` moves the server's clock and therefore runs last.

Usage: serve_iam_ops_test.py PATH_TO_CPA
"""
import configparser
import contextlib
import datetime
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
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.auth
import botocore.exceptions
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CPA = None
SERVER = {}
REGION = "us-west-2"
A = "111111111111"  # subscription account
B = "999999999999"  # receiving account


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    s = {"Effect": "Allow", "Action": action, "Resource": resource}
    s.update(extra)
    return s


def trust(principal, condition=None):
    s = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        s["Condition"] = condition
    return doc(s)


def start_server(extra_args, stderr_path):
    data = tempfile.mkdtemp(prefix="cpa-serve-iam-")
    log = open(stderr_path or os.path.join(data, "server.log"), "w+b")
    proc = subprocess.Popen(
        [CPA, "serve", "--listen", "127.0.0.1:0", "--data", os.path.join(data, "state"),
         "--workers", "2"] + extra_args,
        stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    srv = {"proc": proc, "data": data, "log": log}
    line = proc.stdout.readline().decode()
    m = re.match(r"cpa serve: listening on (http://127\.0\.0\.1:(\d+)), data ", line)
    if not m:
        stop_server(srv)
        raise RuntimeError("no ready line from cpa serve: %r" % line)
    srv["url"] = m.group(1)
    creds = configparser.ConfigParser()
    creds.read(os.path.join(data, "state", "root-credentials"))
    srv["root"] = {acct: (creds["account-" + acct]["aws_access_key_id"],
                          creds["account-" + acct]["aws_secret_access_key"])
                   for acct in (A, B)}
    return srv


def stop_server(srv):
    proc = srv.get("proc")
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            srv["exit"] = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            srv["exit"] = "killed"
    if proc is not None and proc.stdout:
        proc.stdout.close()
    if srv.get("log"):
        srv["log"].close()
    if srv.get("data"):
        shutil.rmtree(srv["data"], ignore_errors=True)


def client(service, key, secret, token=None):
    return boto3.client(service, endpoint_url=SERVER["url"], region_name=REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token)


def root(service, acct):
    key, secret = SERVER["root"][acct]
    return client(service, key, secret)


def session_client(service, creds):
    return client(service, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def raw_call(acct, service, params):
    """A signed awsQuery POST as root of `acct`; returns (HTTP status, body text)."""
    key, secret = SERVER["root"][acct]
    body = "&".join(f"{k}={urllib.request.quote(str(v), safe='')}" for k, v in params.items())
    req = AWSRequest(method="POST", url=SERVER["url"] + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(req)
    data = req.body if isinstance(req.body, bytes) else req.body.encode()
    r = urllib.request.Request(req.url, data=data, headers=dict(req.headers), method="POST")
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class ApiCase(unittest.TestCase):
    def assertError(self, code, status, fn, *args, **kwargs):
        """Calls fn expecting an AWS error `code` with HTTP `status`; returns the message."""
        try:
            fn(*args, **kwargs)
        except botocore.exceptions.ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], code, e.response["Error"])
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], status)
            return e.response["Error"].get("Message", "")
        self.fail(f"expected {code}")


def setUpModule():
    # A user of account 999999999999 that may assume any role (the trust policies decide).
    iam = root("iam", B)
    iam.create_user(UserName="assumer")
    iam.put_user_policy(UserName="assumer", PolicyName="assume-any",
                        PolicyDocument=json.dumps(doc(allow("sts:AssumeRole"))))
    SERVER["assumer"] = iam.create_access_key(UserName="assumer")["AccessKey"]


def assumer_sts():
    k = SERVER["assumer"]
    return client("sts", k["AccessKeyId"], k["SecretAccessKey"])


def role_arn(name, acct=A):
    return f"arn:aws:iam::{acct}:role/{name}"


TRUST_B = trust(f"arn:aws:iam::{B}:root")


class AlreadyExists(ApiCase):
    def test_create_user_role_policy_twice(self):
        iam = root("iam", A)
        iam.create_user(UserName="dup-user")
        msg = self.assertError("EntityAlreadyExists", 409, iam.create_user, UserName="dup-user")
        self.assertEqual(msg, "User with name dup-user already exists.")
        # IAM names are unique regardless of case.
        self.assertError("EntityAlreadyExists", 409, iam.create_user, UserName="DUP-USER")
        iam.create_role(RoleName="dup-role", AssumeRolePolicyDocument=json.dumps(TRUST_B))
        msg = self.assertError("EntityAlreadyExists", 409, iam.create_role, RoleName="dup-role",
                               AssumeRolePolicyDocument=json.dumps(TRUST_B))
        self.assertEqual(msg, "Role with name dup-role already exists.")
        iam.create_policy(PolicyName="dup-pol", PolicyDocument=json.dumps(doc(allow("s3:*"))))
        msg = self.assertError("EntityAlreadyExists", 409, iam.create_policy,
                               PolicyName="dup-pol",
                               PolicyDocument=json.dumps(doc(allow("s3:*"))))
        self.assertEqual(msg, "A policy called dup-pol already exists. Duplicate names are not "
                         "allowed.")
        # Another account has its own namespace.
        root("iam", B).create_user(UserName="dup-user")


class AssumeRoleExternalId(ApiCase):
    def test_external_id_condition(self):
        iam = root("iam", A)
        iam.create_role(RoleName="ext-role", AssumeRolePolicyDocument=json.dumps(
            trust(f"arn:aws:iam::{B}:root", {"StringEquals": {"sts:ExternalId": "cpa-ext-7"}})))
        sts = assumer_sts()
        denied = (f"User: arn:aws:iam::{B}:user/assumer is not authorized to perform: "
                  f"sts:AssumeRole on resource: {role_arn('ext-role')}")
        msg = self.assertError("AccessDenied", 403, sts.assume_role, RoleArn=role_arn("ext-role"),
                               RoleSessionName="no-ext")
        self.assertEqual(msg, denied)
        msg = self.assertError("AccessDenied", 403, sts.assume_role, RoleArn=role_arn("ext-role"),
                               RoleSessionName="bad-ext", ExternalId="cpa-ext-8")
        self.assertEqual(msg, denied)
        c = sts.assume_role(RoleArn=role_arn("ext-role"), RoleSessionName="good-ext",
                            ExternalId="cpa-ext-7")
        self.assertEqual(c["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{A}:assumed-role/ext-role/good-ext")
        self.assertNotIn("PackedPolicySize", c)
        # ExternalId's own constraints come before any authorization.
        msg = self.assertError("ValidationError", 400, sts.assume_role,
                               RoleArn=role_arn("ext-role"), RoleSessionName="s1",
                               ExternalId="bad id!")
        self.assertIn("at 'externalId' failed to satisfy constraint", msg)


class AssumeRoleSessionPolicies(ApiCase):
    @classmethod
    def setUpClass(cls):
        iam = root("iam", A)
        iam.create_role(RoleName="scoped-role",
                        AssumeRolePolicyDocument=json.dumps(trust(f"arn:aws:iam::{B}:root")))
        iam.put_role_policy(
            RoleName="scoped-role", PolicyName="read-iam",
            PolicyDocument=json.dumps(doc(allow(["iam:ListUsers", "iam:ListRoles",
                                                 "iam:GetUser"]))))
        cls.only_roles = iam.create_policy(
            PolicyName="only-list-roles",
            PolicyDocument=json.dumps(doc(allow("iam:ListRoles"))))["Policy"]["Arn"]

    def assume(self, name, **kw):
        r = assumer_sts().assume_role(RoleArn=role_arn("scoped-role"), RoleSessionName=name, **kw)
        return r, session_client("iam", r["Credentials"])

    def test_without_session_policy_the_role_decides(self):
        _, iam = self.assume("plain")
        iam.list_users()
        iam.list_roles()
        self.assertError("AccessDenied", 403, iam.create_user, UserName="nope")

    def test_inline_session_policy_limits_the_session(self):
        r, iam = self.assume("inline", Policy=json.dumps(doc(allow("iam:ListUsers"))))
        self.assertIn("PackedPolicySize", r)
        iam.list_users()
        msg = self.assertError("AccessDenied", 403, iam.list_roles)
        self.assertTrue(msg.startswith(
            f"User: arn:aws:sts::{A}:assumed-role/scoped-role/inline is not authorized to "
            f"perform: iam:ListRoles on resource: arn:aws:iam::{A}:role/"), msg)

    def test_session_policy_cannot_add_permissions(self):
        _, iam = self.assume("wider", Policy=json.dumps(doc(allow("iam:*"))))
        iam.list_users()
        self.assertError("AccessDenied", 403, iam.create_user, UserName="nope")

    def test_managed_session_policy_limits_the_session(self):
        r, iam = self.assume("managed", PolicyArns=[{"arn": self.only_roles}])
        self.assertIn("PackedPolicySize", r)
        iam.list_roles()
        self.assertError("AccessDenied", 403, iam.list_users)

    def test_deleted_session_policy_allows_nothing(self):
        arn = root("iam", A).create_policy(
            PolicyName="short-lived-session-policy",
            PolicyDocument=json.dumps(doc(allow("iam:ListRoles"))))["Policy"]["Arn"]
        _, iam = self.assume("gone", PolicyArns=[{"arn": arn}])
        iam.list_roles()
        root("iam", A).delete_policy(PolicyArn=arn)
        self.assertError("AccessDenied", 403, iam.list_roles)
        self.assertError("AccessDenied", 403, iam.list_users)

    def test_plain_text_limit(self):
        # The Policy member is at most 2048 characters (the model's constraint).
        statements = [allow("iam:ListUsers", f"arn:aws:iam::{A}:user/u{i:04d}")
                      for i in range(40)]
        huge = json.dumps(doc(*statements))
        self.assertGreater(len(huge), 2048)
        msg = self.assertError("ValidationError", 400, assumer_sts().assume_role,
                               RoleArn=role_arn("scoped-role"), RoleSessionName="huge",
                               Policy=huge)
        self.assertIn("at 'policy' failed to satisfy constraint: Member must have length less "
                      "than or equal to 2048", msg)

    def test_packed_policy_too_large(self):
        # Each part within its own limit, together past the packed limit.
        statements = [allow("iam:ListUsers", f"arn:aws:iam::{A}:user/u{i:04d}")
                      for i in range(20)]
        policy = json.dumps(doc(*statements), separators=(",", ":"))
        self.assertLessEqual(len(policy), 2048)
        arns = [{"arn": f"arn:aws:iam::{A}:policy/session-policy-number-{i:02d}"}
                for i in range(10)]
        msg = self.assertError("PackedPolicyTooLarge", 400, assumer_sts().assume_role,
                               RoleArn=role_arn("scoped-role"), RoleSessionName="packed",
                               Policy=policy, PolicyArns=arns)
        self.assertRegex(msg, r"^Packed policy consumes \d+% of allotted space, please use "
                              r"smaller policy$")
        # The same policy alone fits, and the response says how much of the space it takes.
        r = assumer_sts().assume_role(RoleArn=role_arn("scoped-role"), RoleSessionName="packed",
                                      Policy=policy)
        self.assertTrue(50 < r["PackedPolicySize"] <= 100, r["PackedPolicySize"])


class AssumeRoleChaining(ApiCase):
    def test_chained_session_is_limited_to_one_hour(self):
        iam = root("iam", A)
        iam.create_role(RoleName="chain-a",
                        AssumeRolePolicyDocument=json.dumps(trust(f"arn:aws:iam::{B}:root")))
        iam.put_role_policy(RoleName="chain-a", PolicyName="assume-b", PolicyDocument=json.dumps(
            doc(allow("sts:AssumeRole", role_arn("chain-b")))))
        iam.create_role(RoleName="chain-b", MaxSessionDuration=43200,
                        AssumeRolePolicyDocument=json.dumps(trust(f"arn:aws:iam::{A}:root")))
        first = assumer_sts().assume_role(RoleArn=role_arn("chain-a"), RoleSessionName="hop1")
        sts = session_client("sts", first["Credentials"])
        for seconds in (7200, 3601):
            msg = self.assertError("ValidationError", 400, sts.assume_role,
                                   RoleArn=role_arn("chain-b"), RoleSessionName="hop2",
                                   DurationSeconds=seconds)
            self.assertEqual(msg, "The requested DurationSeconds exceeds the 1 hour session "
                             "limit for roles assumed by role chaining.")
        second = sts.assume_role(RoleArn=role_arn("chain-b"), RoleSessionName="hop2",
                                 DurationSeconds=3600)
        ident = session_client("sts", second["Credentials"]).get_caller_identity()
        self.assertEqual(ident["Arn"], f"arn:aws:sts::{A}:assumed-role/chain-b/hop2")
        # Without chaining, the role's MaxSessionDuration (3600 for chain-a) is the limit.
        msg = self.assertError("ValidationError", 400, assumer_sts().assume_role,
                               RoleArn=role_arn("chain-a"), RoleSessionName="long",
                               DurationSeconds=3601)
        self.assertIn("MaxSessionDuration", msg)
        # chain-a's session may not assume a role its policies do not name.
        self.assertError("AccessDenied", 403, sts.assume_role, RoleArn=role_arn("chain-a"),
                         RoleSessionName="hop2")


class AccessKeys(ApiCase):
    def test_update_access_key_and_quota(self):
        iam = root("iam", B)
        iam.create_user(UserName="key-user")
        k1 = iam.create_access_key(UserName="key-user")["AccessKey"]
        sts = client("sts", k1["AccessKeyId"], k1["SecretAccessKey"])
        self.assertEqual(sts.get_caller_identity()["Arn"], f"arn:aws:iam::{B}:user/key-user")

        iam.update_access_key(UserName="key-user", AccessKeyId=k1["AccessKeyId"],
                              Status="Inactive")
        keys = iam.list_access_keys(UserName="key-user")["AccessKeyMetadata"]
        self.assertEqual([(k["AccessKeyId"], k["Status"]) for k in keys],
                         [(k1["AccessKeyId"], "Inactive")])
        self.assertError("InvalidClientTokenId", 403, sts.get_caller_identity)
        iam.update_access_key(UserName="key-user", AccessKeyId=k1["AccessKeyId"], Status="Active")
        self.assertEqual(sts.get_caller_identity()["Account"], B)

        k2 = iam.create_access_key(UserName="key-user")["AccessKey"]
        msg = self.assertError("LimitExceeded", 409, iam.create_access_key, UserName="key-user")
        self.assertEqual(msg, "Cannot exceed quota for AccessKeysPerUser: 2")
        # Inactive keys count too.
        iam.update_access_key(UserName="key-user", AccessKeyId=k2["AccessKeyId"],
                              Status="Inactive")
        self.assertError("LimitExceeded", 409, iam.create_access_key, UserName="key-user")
        self.assertEqual(len(iam.list_access_keys(UserName="key-user")["AccessKeyMetadata"]), 2)

        msg = self.assertError("NoSuchEntity", 404, iam.update_access_key, UserName="key-user",
                               AccessKeyId="AKIAIOSFODNN7NOTHERE", Status="Active")
        self.assertEqual(msg, "The Access Key with id AKIAIOSFODNN7NOTHERE cannot be found.")
        msg = self.assertError("ValidationError", 400, iam.update_access_key,
                               UserName="key-user", AccessKeyId=k1["AccessKeyId"],
                               Status="Paused")
        self.assertIn("at 'status' failed to satisfy constraint: Member must satisfy enum value "
                      "set: [Active, Inactive", msg)


class DeleteConflicts(ApiCase):
    def test_delete_policy(self):
        iam = root("iam", A)
        arn = iam.create_policy(PolicyName="del-pol",
                                PolicyDocument=json.dumps(
                                    doc(allow("s3:ListBucket"))))["Policy"]["Arn"]
        iam.create_user(UserName="del-pol-user")
        iam.attach_user_policy(UserName="del-pol-user", PolicyArn=arn)
        msg = self.assertError("DeleteConflict", 409, iam.delete_policy, PolicyArn=arn)
        self.assertEqual(msg, "Cannot delete a policy attached to entities.")
        iam.detach_user_policy(UserName="del-pol-user", PolicyArn=arn)
        iam.delete_policy(PolicyArn=arn)
        msg = self.assertError("NoSuchEntity", 404, iam.delete_policy, PolicyArn=arn)
        self.assertEqual(msg, f"Policy {arn} was not found.")
        self.assertError("NoSuchEntity", 404, iam.get_policy, PolicyArn=arn)
        self.assertEqual(iam.list_attached_user_policies(UserName="del-pol-user")
                         ["AttachedPolicies"], [])

    def test_delete_role(self):
        iam = root("iam", A)
        iam.create_role(RoleName="del-role", AssumeRolePolicyDocument=json.dumps(TRUST_B))
        arn = iam.create_policy(PolicyName="del-role-pol",
                                PolicyDocument=json.dumps(
                                    doc(allow("s3:ListBucket"))))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="del-role", PolicyArn=arn)
        iam.put_role_policy(RoleName="del-role", PolicyName="inline",
                            PolicyDocument=json.dumps(doc(allow("s3:GetObject"))))
        msg = self.assertError("DeleteConflict", 409, iam.delete_role, RoleName="del-role")
        self.assertEqual(msg, "Cannot delete entity, must detach all policies first.")
        iam.detach_role_policy(RoleName="del-role", PolicyArn=arn)
        msg = self.assertError("DeleteConflict", 409, iam.delete_role, RoleName="del-role")
        self.assertEqual(msg, "Cannot delete entity, must delete policies first.")
        iam.delete_role_policy(RoleName="del-role", PolicyName="inline")
        iam.delete_role(RoleName="del-role")
        msg = self.assertError("NoSuchEntity", 404, iam.get_role, RoleName="del-role")
        self.assertEqual(msg, "The role with name del-role cannot be found.")
        self.assertError("NoSuchEntity", 404, iam.delete_role, RoleName="del-role")
        iam.delete_policy(PolicyArn=arn)


class Detach(ApiCase):
    def test_detach_when_not_attached(self):
        iam = root("iam", A)
        iam.create_role(RoleName="detach-role", AssumeRolePolicyDocument=json.dumps(TRUST_B))
        iam.create_user(UserName="detach-user")
        arn = iam.create_policy(PolicyName="detach-pol",
                                PolicyDocument=json.dumps(
                                    doc(allow("s3:ListBucket"))))["Policy"]["Arn"]
        self.assertError("NoSuchEntity", 404, iam.detach_role_policy, RoleName="detach-role",
                         PolicyArn=arn)
        self.assertError("NoSuchEntity", 404, iam.detach_user_policy, UserName="detach-user",
                         PolicyArn=arn)
        iam.attach_role_policy(RoleName="detach-role", PolicyArn=arn)
        iam.attach_user_policy(UserName="detach-user", PolicyArn=arn)
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 2)
        iam.detach_role_policy(RoleName="detach-role", PolicyArn=arn)
        iam.detach_user_policy(UserName="detach-user", PolicyArn=arn)
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 0)
        self.assertError("NoSuchEntity", 404, iam.detach_role_policy, RoleName="detach-role",
                         PolicyArn=arn)
        self.assertError("NoSuchEntity", 404, iam.detach_user_policy, UserName="detach-user",
                         PolicyArn=arn)
        msg = self.assertError("NoSuchEntity", 404, iam.detach_role_policy,
                               RoleName="no-such-role", PolicyArn=arn)
        self.assertEqual(msg, "The role with name no-such-role cannot be found.")
        msg = self.assertError("ValidationError", 400, iam.detach_user_policy,
                               UserName="detach-user", PolicyArn="this-is-not-an-arn-at-all")
        self.assertEqual(msg, "Invalid ARN:  Could not be parsed!")


class InlinePolicies(ApiCase):
    def check_inline(self, kind):
        iam = root("iam", A)
        name = f"inline-{kind}"
        if kind == "role":
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_B))
            put, get, delete, lst = (iam.put_role_policy, iam.get_role_policy,
                                     iam.delete_role_policy, iam.list_role_policies)
            key, action_noun = "RoleName", "Role"
        else:
            iam.create_user(UserName=name)
            put, get, delete, lst = (iam.put_user_policy, iam.get_user_policy,
                                     iam.delete_user_policy, iam.list_user_policies)
            key, action_noun = "UserName", "User"
        docs = {p: doc(allow(f"s3:{p}", "arn:aws:s3:::bucket/*", Sid="S1"))
                for p in ("GetObject", "PutObject", "DeleteObject")}
        for p, d in docs.items():
            put(**{key: name}, PolicyName=p, PolicyDocument=json.dumps(d))
        # Names in case-insensitive order.
        self.assertEqual(lst(**{key: name})["PolicyNames"],
                         ["DeleteObject", "GetObject", "PutObject"])
        page1 = lst(**{key: name}, MaxItems=2)
        self.assertEqual(page1["PolicyNames"], ["DeleteObject", "GetObject"])
        self.assertTrue(page1["IsTruncated"])
        page2 = lst(**{key: name}, MaxItems=2, Marker=page1["Marker"])
        self.assertEqual(page2["PolicyNames"], ["PutObject"])
        self.assertFalse(page2["IsTruncated"])
        self.assertNotIn("Marker", page2)

        got = get(**{key: name}, PolicyName="GetObject")
        self.assertEqual(got[key], name)
        self.assertEqual(got["PolicyName"], "GetObject")
        self.assertEqual(got["PolicyDocument"], docs["GetObject"])  # URL-decoded by botocore
        # On the wire the document is URL-encoded, as IAM sends it.
        status, body = raw_call(A, "iam", {"Action": f"Get{action_noun}Policy",
                                           "Version": "2010-05-08", key: name,
                                           "PolicyName": "GetObject"})
        self.assertEqual(status, 200, body)
        m = re.search(r"<PolicyDocument>([^<]*)</PolicyDocument>", body)
        self.assertTrue(m, body)
        self.assertTrue(m.group(1).startswith("%7B%22Version%22%3A"), m.group(1))
        self.assertEqual(json.loads(urllib.parse.unquote(m.group(1))), docs["GetObject"])

        # Updating replaces the document.
        put(**{key: name}, PolicyName="GetObject",
            PolicyDocument=json.dumps(docs["PutObject"]))
        self.assertEqual(get(**{key: name}, PolicyName="GetObject")["PolicyDocument"],
                         docs["PutObject"])

        delete(**{key: name}, PolicyName="GetObject")
        self.assertEqual(lst(**{key: name})["PolicyNames"], ["DeleteObject", "PutObject"])
        msg = self.assertError("NoSuchEntity", 404, get, **{key: name}, PolicyName="GetObject")
        self.assertEqual(msg, f"The {kind} policy with name GetObject cannot be found.")
        self.assertError("NoSuchEntity", 404, delete, **{key: name}, PolicyName="GetObject")
        self.assertError("NoSuchEntity", 404, lst, **{key: "no-such-" + kind})
        self.assertError("NoSuchEntity", 404, get, **{key: "no-such-" + kind},
                         PolicyName="GetObject")

    def test_role_inline_policies(self):
        self.check_inline("role")

    def test_user_inline_policies(self):
        self.check_inline("user")


class Listing(ApiCase):
    def collect(self, fn, field, page_size, **kw):
        pages, marker = [], None
        while True:
            r = fn(MaxItems=page_size, **({"Marker": marker} if marker else {}), **kw)
            pages.append([x if isinstance(x, str) else x.get("RoleName") or x.get("UserName")
                          or x.get("PolicyName") for x in r[field]])
            if not r["IsTruncated"]:
                self.assertNotIn("Marker", r)
                return pages
            marker = r["Marker"]

    def test_list_roles_pages(self):
        iam = root("iam", A)
        names = [f"pg-role-{i}" for i in range(7)]
        for n in reversed(names):
            iam.create_role(RoleName=n, Path="/pg/", AssumeRolePolicyDocument=json.dumps(TRUST_B))
        pages = self.collect(iam.list_roles, "Roles", 3, PathPrefix="/pg/")
        self.assertEqual(pages, [names[0:3], names[3:6], names[6:7]])
        r = iam.list_roles(PathPrefix="/pg/", MaxItems=1)
        self.assertEqual(r["Roles"][0]["Arn"], f"arn:aws:iam::{A}:role/pg/pg-role-0")
        self.assertEqual(r["Roles"][0]["AssumeRolePolicyDocument"], TRUST_B)
        # botocore's paginator follows the same markers.
        paged = [x["RoleName"] for p in iam.get_paginator("list_roles").paginate(
            PathPrefix="/pg/", PaginationConfig={"PageSize": 2}) for x in p["Roles"]]
        self.assertEqual(paged, names)
        self.assertError("ValidationError", 400, iam.list_roles, MaxItems=1001)

    def test_list_users_pages(self):
        iam = root("iam", B)
        names = [f"pg-user-{i}" for i in range(8)]
        for n in names:
            iam.create_user(UserName=n, Path="/pg/")
        pages = self.collect(iam.list_users, "Users", 3, PathPrefix="/pg/")
        self.assertEqual(pages, [names[0:3], names[3:6], names[6:8]])
        everyone = [u["UserName"] for p in iam.get_paginator("list_users").paginate(
            PaginationConfig={"PageSize": 4}) for u in p["Users"]]
        self.assertEqual(everyone, sorted(everyone, key=str.lower))
        self.assertTrue(set(names) <= set(everyone))
        self.assertIn("assumer", everyone)

    def test_list_policies_scope_and_only_attached(self):
        iam = root("iam", A)
        arns = [iam.create_policy(PolicyName=f"lp-{i}", Path="/lp/", PolicyDocument=json.dumps(
            doc(allow(f"s3:Get{i}*"))))["Policy"]["Arn"] for i in range(5)]
        iam.create_user(UserName="lp-user")
        iam.create_role(RoleName="lp-role", AssumeRolePolicyDocument=json.dumps(TRUST_B))
        iam.attach_user_policy(UserName="lp-user", PolicyArn=arns[1])
        iam.attach_role_policy(RoleName="lp-role", PolicyArn=arns[3])
        iam.attach_user_policy(UserName="lp-user", PolicyArn=arns[3])

        pages = self.collect(iam.list_policies, "Policies", 2, Scope="Local", PathPrefix="/lp/")
        self.assertEqual(pages, [["lp-0", "lp-1"], ["lp-2", "lp-3"], ["lp-4"]])
        attached = iam.list_policies(Scope="Local", PathPrefix="/lp/",
                                     OnlyAttached=True)["Policies"]
        self.assertEqual([(p["PolicyName"], p["AttachmentCount"]) for p in attached],
                         [("lp-1", 1), ("lp-3", 2)])
        pages = self.collect(iam.list_policies, "Policies", 1, Scope="Local", PathPrefix="/lp/",
                             OnlyAttached=True)
        self.assertEqual(pages, [["lp-1"], ["lp-3"]])
        # Account 999999999999 sees none of them.
        theirs = root("iam", B).list_policies(Scope="Local", PathPrefix="/lp/")["Policies"]
        self.assertEqual(theirs, [])
        self.assertEqual(iam.list_policies(Scope="AWS", PathPrefix="/lp/")["Policies"], [])
        msg = self.assertError("ValidationError", 400, iam.list_policies, Scope="Everything")
        self.assertIn("Member must satisfy enum value set: [All, AWS, Local]", msg)


class PolicyVersions(ApiCase):
    def test_versions_default_and_limit(self):
        iam = root("iam", A)
        v1 = doc(allow("iam:ListUsers"))
        arn = iam.create_policy(PolicyName="ver-pol",
                                PolicyDocument=json.dumps(v1))["Policy"]["Arn"]
        iam.create_user(UserName="ver-user")
        iam.attach_user_policy(UserName="ver-user", PolicyArn=arn)
        key = iam.create_access_key(UserName="ver-user")["AccessKey"]
        user_iam = client("iam", key["AccessKeyId"], key["SecretAccessKey"])
        user_iam.list_users()
        self.assertError("AccessDenied", 403, user_iam.list_roles)

        v2 = doc(allow("iam:ListRoles"))
        got = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2))
        self.assertEqual(got["PolicyVersion"]["VersionId"], "v2")
        self.assertFalse(got["PolicyVersion"]["IsDefaultVersion"])
        self.assertNotIn("Document", got["PolicyVersion"])
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v1")
        pv = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
        self.assertEqual(pv["Document"], v2)
        self.assertFalse(pv["IsDefaultVersion"])
        # Only the default version is enforced.
        user_iam.list_users()
        self.assertError("AccessDenied", 403, user_iam.list_roles)

        got = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2),
                                        SetAsDefault=True)
        self.assertEqual(got["PolicyVersion"]["VersionId"], "v3")
        self.assertTrue(got["PolicyVersion"]["IsDefaultVersion"])
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v3")
        self.assertFalse(iam.get_policy_version(PolicyArn=arn, VersionId="v1")
                         ["PolicyVersion"]["IsDefaultVersion"])
        self.assertTrue(iam.get_policy_version(PolicyArn=arn, VersionId="v3")
                        ["PolicyVersion"]["IsDefaultVersion"])
        user_iam.list_roles()
        self.assertError("AccessDenied", 403, user_iam.list_users)

        for n in (4, 5):
            got = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v1))
            self.assertEqual(got["PolicyVersion"]["VersionId"], f"v{n}")
        msg = self.assertError("LimitExceeded", 409, iam.create_policy_version, PolicyArn=arn,
                               PolicyDocument=json.dumps(v1), SetAsDefault=True)
        self.assertEqual(msg, "A managed policy can have up to 5 versions. Before you create a "
                         "new version, you must delete an existing version.")
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v3")

        self.assertError("NoSuchEntity", 404, iam.get_policy_version, PolicyArn=arn,
                         VersionId="v9")
        self.assertError("NoSuchEntity", 404, iam.create_policy_version,
                         PolicyArn=f"arn:aws:iam::{A}:policy/no-such-policy",
                         PolicyDocument=json.dumps(v1))
        self.assertError("MalformedPolicyDocument", 400, iam.create_policy_version,
                         PolicyArn=arn, PolicyDocument="{not json")

        # Listing: newest first, without documents, in pages.
        listed = iam.list_policy_versions(PolicyArn=arn)
        self.assertEqual([(v["VersionId"], v["IsDefaultVersion"]) for v in listed["Versions"]],
                         [("v5", False), ("v4", False), ("v3", True), ("v2", False),
                          ("v1", False)])
        self.assertFalse(any("Document" in v for v in listed["Versions"]))
        pages = [[v["VersionId"] for v in p["Versions"]] for p in iam.get_paginator(
            "list_policy_versions").paginate(PolicyArn=arn, PaginationConfig={"PageSize": 2})]
        self.assertEqual(pages, [["v5", "v4"], ["v3", "v2"], ["v1"]])

        # The default version cannot be deleted; another can be made the default.
        msg = self.assertError("DeleteConflict", 409, iam.delete_policy_version, PolicyArn=arn,
                               VersionId="v3")
        self.assertEqual(msg, "Cannot delete the default version of a policy.")
        iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v1")
        user_iam.list_users()
        self.assertError("AccessDenied", 403, user_iam.list_roles)
        self.assertError("NoSuchEntity", 404, iam.set_default_policy_version, PolicyArn=arn,
                         VersionId="v9")
        self.assertError("NoSuchEntity", 404, iam.delete_policy_version, PolicyArn=arn,
                         VersionId="v9")

        # A policy with versions besides the default one cannot be deleted.
        iam.detach_user_policy(UserName="ver-user", PolicyArn=arn)
        self.assertError("DeleteConflict", 409, iam.delete_policy, PolicyArn=arn)
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
        # Version numbers are not reused.
        got = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2))
        self.assertEqual(got["PolicyVersion"]["VersionId"], "v6")
        for v in ("v3", "v4", "v5", "v6"):
            iam.delete_policy_version(PolicyArn=arn, VersionId=v)
        self.assertEqual([v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)
                          ["Versions"]], ["v1"])
        iam.delete_policy(PolicyArn=arn)
        self.assertError("NoSuchEntity", 404, iam.list_policy_versions, PolicyArn=arn)


class Simulation(ApiCase):
    def test_simulate_principal_policy(self):
        iam = root("iam", A)
        iam.create_user(UserName="sim-ops-user")
        iam.put_user_policy(UserName="sim-ops-user", PolicyName="p", PolicyDocument=json.dumps(
            doc(dict(allow("iam:List*"), Sid="ListAll"),
                {"Sid": "NoDelete", "Effect": "Deny", "Action": "iam:DeleteUser",
                 "Resource": "*"})))
        r = iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{A}:user/sim-ops-user",
            ActionNames=["iam:ListUsers", "iam:DeleteUser", "iam:CreateUser"])
        results = {e["EvalActionName"]: e for e in r["EvaluationResults"]}
        self.assertEqual({a: e["EvalDecision"] for a, e in results.items()},
                         {"iam:ListUsers": "allowed", "iam:DeleteUser": "explicitDeny",
                          "iam:CreateUser": "implicitDeny"})
        self.assertEqual(results["iam:ListUsers"]["EvalResourceName"], "*")
        self.assertTrue(results["iam:ListUsers"]["MatchedStatements"])
        self.assertEqual(results["iam:CreateUser"]["MatchedStatements"], [])
        self.assertFalse(r["IsTruncated"])
        # Extra policies are evaluated with the principal's own.
        r = iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{A}:user/sim-ops-user",
            ActionNames=["iam:CreateUser"],
            PolicyInputList=[json.dumps(doc(allow("iam:CreateUser")))])
        self.assertEqual(r["EvaluationResults"][0]["EvalDecision"], "allowed")
        self.assertError("NoSuchEntity", 404, iam.simulate_principal_policy,
                         PolicySourceArn=f"arn:aws:iam::{A}:user/no-such-user",
                         ActionNames=["iam:ListUsers"])

    def test_simulate_custom_policy_with_context(self):
        iam = root("iam", A)
        policy = doc(allow("s3:GetObject", "arn:aws:s3:::cpa-bucket/*",
                           Condition={"StringEquals": {"aws:RequestedRegion": "us-west-2"}}))

        def decide(region, resource="arn:aws:s3:::cpa-bucket/key"):
            r = iam.simulate_custom_policy(
                PolicyInputList=[json.dumps(policy)], ActionNames=["s3:GetObject"],
                ResourceArns=[resource],
                ContextEntries=[{"ContextKeyName": "aws:RequestedRegion",
                                 "ContextKeyValues": [region], "ContextKeyType": "string"}])
            return r["EvaluationResults"][0]["EvalDecision"]

        self.assertEqual(decide("us-west-2"), "allowed")
        self.assertEqual(decide("eu-west-1"), "implicitDeny")
        self.assertEqual(decide("us-west-2", "arn:aws:s3:::other-bucket/key"), "implicitDeny")
        # IAM's model lists InvalidInput for this operation; the policy parser answers
        # MalformedPolicyDocument as for every other document. Either is a 400.
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            iam.simulate_custom_policy(PolicyInputList=["{not json"],
                                       ActionNames=["s3:GetObject"])
        self.assertIn(e.exception.response["Error"]["Code"],
                      ("MalformedPolicyDocument", "InvalidInput"))
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)


class UpdateTrust(ApiCase):
    def test_assume_role_follows_the_new_trust_policy(self):
        iam = root("iam", A)
        iam.create_role(RoleName="trust-role",
                        AssumeRolePolicyDocument=json.dumps(trust(f"arn:aws:iam::{B}:root")))
        sts = assumer_sts()
        sts.assume_role(RoleArn=role_arn("trust-role"), RoleSessionName="before")

        only_a = trust(f"arn:aws:iam::{A}:root")
        iam.update_assume_role_policy(RoleName="trust-role", PolicyDocument=json.dumps(only_a))
        self.assertEqual(iam.get_role(RoleName="trust-role")["Role"]["AssumeRolePolicyDocument"],
                         only_a)
        msg = self.assertError("AccessDenied", 403, sts.assume_role,
                               RoleArn=role_arn("trust-role"), RoleSessionName="after")
        self.assertEqual(msg, f"User: arn:aws:iam::{B}:user/assumer is not authorized to "
                         f"perform: sts:AssumeRole on resource: {role_arn('trust-role')}")

        only_user = trust(f"arn:aws:iam::{B}:user/assumer")
        iam.update_assume_role_policy(RoleName="trust-role", PolicyDocument=json.dumps(only_user))
        r = sts.assume_role(RoleArn=role_arn("trust-role"), RoleSessionName="again")
        self.assertEqual(r["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{A}:assumed-role/trust-role/again")

        self.assertError("NoSuchEntity", 404, iam.update_assume_role_policy,
                         RoleName="no-such-role", PolicyDocument=json.dumps(only_a))
        self.assertError("MalformedPolicyDocument", 400, iam.update_assume_role_policy,
                         RoleName="trust-role", PolicyDocument="{not json")
        # The failed updates changed nothing.
        self.assertEqual(iam.get_role(RoleName="trust-role")["Role"]["AssumeRolePolicyDocument"],
                         only_user)


ACCESS_LOG_KEYS = {"time", "method", "path", "status", "latency_us", "bytes_in", "bytes_out",
                   "remote", "service", "operation"}


def read_access_log(path, want):
    """The log's entries, once `want(entries)` holds (lines are written after the response)."""
    deadline = time.time() + 5
    while True:
        with open(path) as f:
            entries = [json.loads(line) for line in f if line.strip()]
        if want(entries) or time.time() > deadline:
            return entries
        time.sleep(0.05)


class AccessLog(ApiCase):
    def test_one_json_line_per_request(self):
        iam = root("iam", A)
        iam.create_user(UserName="log-user")
        self.assertError("EntityAlreadyExists", 409, iam.create_user, UserName="log-user")
        urllib.request.urlopen(SERVER["url"] + "/_cpa/health").read()
        # A query string is never logged (presigned URLs carry credentials there).
        try:
            urllib.request.urlopen(SERVER["url"] + "/?Action=GetCallerIdentity&"
                                   "X-Amz-Signature=cafebabe&X-Amz-Security-Token=sekrit")
        except urllib.error.HTTPError:
            pass
        entries = read_access_log(
            SERVER["access_log"],
            lambda es: any(e["path"] == "/" and e["method"] == "GET" for e in es))
        for e in entries:
            self.assertEqual(set(e), ACCESS_LOG_KEYS, e)
            self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertEqual(e["remote"], "127.0.0.1")
            self.assertGreaterEqual(e["latency_us"], 0)
        created = [e for e in entries if e["operation"] == "CreateUser"]
        self.assertEqual(sorted(e["status"] for e in created[-2:]), [200, 409])
        ok = [e for e in created[-2:] if e["status"] == 200][0]
        self.assertEqual((ok["method"], ok["path"], ok["service"]), ("POST", "/", "iam"))
        self.assertGreater(ok["bytes_in"], 0)
        self.assertGreater(ok["bytes_out"], 0)
        health = [e for e in entries if e["path"] == "/_cpa/health"]
        self.assertEqual(health[-1]["status"], 200)
        self.assertEqual(health[-1]["bytes_in"], 0)
        with open(SERVER["access_log"]) as f:
            text = f.read()
        for secret in ("sekrit", "cafebabe", "X-Amz", "AWS4-HMAC-SHA256", "Authorization",
                       SERVER["root"][A][1], SERVER["assumer"]["SecretAccessKey"]):
            self.assertNotIn(secret, text)
        self.assertEqual(os.stat(SERVER["access_log"]).st_mode & 0o777, 0o600)

    def test_dash_writes_to_stderr(self):
        d = tempfile.mkdtemp(prefix="cpa-serve-stderr-")
        err = os.path.join(d, "stderr")
        other = start_server(["--access-log", "-"], err)
        try:
            urllib.request.urlopen(other["url"] + "/_cpa/health").read()
            deadline = time.time() + 5
            while time.time() < deadline:
                with open(err) as f:
                    lines = [line for line in f if line.startswith("{")]
                if lines:
                    break
                time.sleep(0.05)
            self.assertTrue(lines)
            e = json.loads(lines[0])
            self.assertEqual(set(e), ACCESS_LOG_KEYS)
            self.assertEqual((e["method"], e["path"], e["status"]), ("GET", "/_cpa/health", 200))
        finally:
            stop_server(other)
            shutil.rmtree(d, ignore_errors=True)
        self.assertEqual(other.get("exit"), 0)

    def test_bad_access_log_path_fails_at_start(self):
        d = tempfile.mkdtemp(prefix="cpa-serve-badlog-")
        try:
            r = subprocess.run([CPA, "serve", "--listen", "127.0.0.1:0", "--data",
                                os.path.join(d, "state"), "--access-log",
                                os.path.join(d, "no", "such", "dir", "log")],
                               capture_output=True, timeout=30)
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"--access-log", r.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def signing_clock(offset_seconds):
    """Signs botocore requests `offset_seconds` ahead, in step with the server's test clock."""
    real = botocore.auth.datetime.datetime
    delta = datetime.timedelta(seconds=offset_seconds)

    class Shifted(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() + delta

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + delta

    botocore.auth.datetime.datetime = Shifted
    try:
        yield
    finally:
        botocore.auth.datetime.datetime = real


def advance_clock(seconds):
    req = urllib.request.Request(SERVER["url"] + f"/_cpa/test/advance-clock?seconds={seconds}",
                                 method="POST")
    return json.loads(urllib.request.urlopen(req).read())["offset_seconds"]


class ZzClock(ApiCase):
    """Last: moves the server's clock forward."""

    def test_expired_sessions_are_purged_after_the_grace_period(self):
        iam = root("iam", A)
        iam.create_role(RoleName="purge-role",
                        AssumeRolePolicyDocument=json.dumps(trust(f"arn:aws:iam::{B}:root")))
        old = assumer_sts().assume_role(RoleArn=role_arn("purge-role"), RoleSessionName="old",
                                        DurationSeconds=900)["Credentials"]
        offset = advance_clock(900 + 1800)
        with signing_clock(offset):
            # Expired half an hour ago: within the grace period, still known.
            msg = self.assertError("ExpiredToken", 400,
                                   session_client("sts", old).get_caller_identity)
            self.assertEqual(msg, "The security token included in the request is expired")
            recent = assumer_sts().assume_role(RoleArn=role_arn("purge-role"),
                                               RoleSessionName="recent",
                                               DurationSeconds=900)["Credentials"]
        offset = advance_clock(1800 + 60)
        with signing_clock(offset):
            # "old" expired over an hour ago: the purge (every second here) forgets it.
            deadline = time.time() + 10
            while True:
                try:
                    session_client("sts", old).get_caller_identity()
                    self.fail("an expired session was accepted")
                except botocore.exceptions.ClientError as e:
                    code = e.response["Error"]["Code"]
                if code == "InvalidClientTokenId" or time.time() > deadline:
                    break
                time.sleep(0.2)
            self.assertEqual(code, "InvalidClientTokenId")
            self.assertError("ExpiredToken", 400,
                             session_client("sts", recent).get_caller_identity)
            # Long-term keys are untouched.
            self.assertEqual(assumer_sts().get_caller_identity()["Account"], B)


def main():
    global CPA
    CPA = sys.argv.pop(1)
    data_log = tempfile.mkdtemp(prefix="cpa-serve-iam-log-")
    access_log = os.path.join(data_log, "access.jsonl")
    srv = start_server(["--test-clock", "--access-log", access_log, "--purge-interval", "1"],
                       None)
    SERVER.update(srv)
    SERVER["access_log"] = access_log
    ok = False
    try:
        prog = unittest.main(exit=False, verbosity=2)
        ok = prog.result.wasSuccessful()
    finally:
        stop_server(SERVER)
        shutil.rmtree(data_log, ignore_errors=True)
    if SERVER.get("exit") not in (0, None):
        print("cpa serve exited with", SERVER.get("exit"))
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
