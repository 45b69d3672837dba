#!/usr/bin/env python3
"""End-to-end tests of the cpa binary: --help/--version and `cpa policy` on the seed's matrix.

Usage: cli_test.py PATH_TO_CPA SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import unittest

CPA = None
SOURCE = None


def load(path):
    with open(path) as f:
        return json.load(f)


def run(*args, stdin=None):
    return subprocess.run([CPA, *args], input=stdin, capture_output=True, text=True, timeout=60)


class Basics(unittest.TestCase):
    def test_help_and_version(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("policy", r.stdout)
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^cpa \d+\.\d+\.\d+")
        r = run("no-such-command")
        self.assertNotEqual(r.returncode, 0)


class PolicyCheck(unittest.TestCase):
    def check(self, doc, *args):
        text = doc if isinstance(doc, str) else json.dumps(doc)
        return run("policy", "check", "-", *args, stdin=text)

    def test_seed_documents_are_valid(self):
        seed = load(os.path.join(SOURCE, "tests/clients/requests/seed-pull-allowed.json"))
        r = self.check(seed["identityPolicies"][0], "--kind", "identity", "--limit", "managed")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("valid identity policy", r.stdout)
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}]}
        r = self.check(trust, "--kind", "trust", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["valid"], True)

    def test_invalid_documents_print_aws_code(self):
        cases = [
            ("{not json", "identity", "MalformedPolicyDocument"),
            ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
              "Action": "s3:GetObject", "Resource": "*"}]}, "identity", "MalformedPolicyDocument"),
            ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": "sts:AssumeRole"}]}, "trust", "MalformedPolicyDocument"),
            ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:" + "x" * 7000,
              "Resource": "*"}]}, "identity", "LimitExceeded"),
        ]
        for doc, kind, code in cases:
            args = ["--kind", kind] + (["--limit", "managed"] if code == "LimitExceeded" else [])
            r = self.check(doc, *args)
            self.assertEqual(r.returncode, 1, (doc, r.stdout, r.stderr))
            self.assertTrue(r.stderr.startswith(code), r.stderr)

    def test_missing_file(self):
        r = run("policy", "check", "/nonexistent/policy.json")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot read", r.stderr)


class PolicySimulate(unittest.TestCase):
    REQUESTS = None

    @classmethod
    def setUpClass(cls):
        cls.REQUESTS = os.path.join(SOURCE, "tests/clients/requests")
        cls.expected = load(os.path.join(cls.REQUESTS, "expected.json"))

    def test_seed_matrix(self):
        self.assertGreaterEqual(len(self.expected), 8)
        for name, want in self.expected.items():
            with self.subTest(request=name):
                path = os.path.join(self.REQUESTS, name)
                r = run("policy", "simulate", "--request", path, "--output", "json")
                self.assertIn(r.returncode, (0, 2), r.stderr)
                out = json.loads(r.stdout)
                self.assertEqual(out["decision"], want)
                self.assertEqual(r.returncode, 0 if want == "allowed" else 2)
                self.assertTrue(out["trace"], "every decision is explained")
                text = run("policy", "simulate", "--request", path)
                self.assertTrue(text.stdout.startswith("decision: " + want), text.stdout)

    def test_trace_names_the_statement_and_the_missing_side(self):
        r = run("policy", "simulate", "--request",
                os.path.join(self.REQUESTS, "seed-pull-allowed.json"))
        self.assertIn("'ECRRead'", r.stdout)
        r = run("policy", "simulate", "--request",
                os.path.join(self.REQUESTS, "seed-pull-repo-grants-other-account.json"))
        self.assertIn("cross-account", r.stdout)
        r = run("policy", "simulate", "--request",
                os.path.join(self.REQUESTS, "seed-pull-identity-deny.json"), "--output", "json")
        out = json.loads(r.stdout)
        self.assertTrue(any(t.get("effect") == "Deny" for t in out["trace"]), out)

    def test_assume_role_without_identity_policy_is_denied(self):
        req = load(os.path.join(self.REQUESTS, "seed-assume-role-allowed.json"))
        req["identityPolicies"] = []
        r = run("policy", "simulate", "--request", "-", stdin=json.dumps(req))
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("implicitDeny", r.stdout)

    def test_bad_requests_exit_1(self):
        for req in ["", "[]", '{"principal": "x"}',
                    '{"principal": "p", "action": "a:b", "resource": "*", "typo": 1}',
                    '{"principal": "p", "action": "a:b", "resource": "*", "identityPolicies": [{}]}']:
            with self.subTest(req=req):
                r = run("policy", "simulate", "--request", "-", stdin=req)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertTrue(r.stderr.strip(), "a bad request says why")


if __name__ == "__main__":
    CPA, SOURCE = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
