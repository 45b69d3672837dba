#!/usr/bin/env python3
"""`cpa quickstart` end to end: it starts its own `cpa serve` (a child on a free loopback port),
shares 111111111111's curated packages with 999999999999, checks the chain and pulls the bundle.

Usage: quickstart_test.py PATH_TO_CPA
"""
import base64
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

import yaml

CPA = None


def run(directory):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run([CPA, "quickstart", "--dir", directory], capture_output=True, text=True,
                          env=env, timeout=120)


class QuickstartTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpa-quickstart-test-")
        self.dir = os.path.join(self.tmp, "qs")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check_success(self, r):
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout
        for step in range(1, 8):
            self.assertRegex(out, r"(?m)^Step %d: " % step)
        self.assertIn("Step 1: packages registry for us-west-2: "
                      "346438352937.dkr.ecr.us-west-2.localhost (from the subscription", out)
        self.assertIn("is arn:aws:iam::999999999999:user/curated-packages-user", out)
        # cpa doctor runs on the written aws-secret manifest: every link holds.
        self.assertRegex(out, r"(?m)^Check: cpa doctor --secret \S+/aws-secret\.yaml$")
        for link in ("file", "region", "key", "assume-role", "ecr-token", "registry"):
            self.assertRegex(out, r"(?m)^ok   %s: " % link)
        self.assertIn("All links hold.", out)
        self.assertIn("assumed arn:aws:sts::111111111111:assumed-role/curated-packages-role/", out)
        self.assertRegex(out, r"eks-anywhere-packages-bundles:v1-\d+-latest \(sha256:[0-9a-f]{64}\)")
        packages = re.findall(r"(?m)^  package (\S+) (\S+)$", out)
        self.assertEqual({p for p, _ in packages}, {"hello-eks-anywhere", "harbor", "metrics-server"})
        self.assertTrue(out.rstrip().splitlines()[-1].startswith("SUCCESS: "))
        return out

    def test_quickstart(self):
        out = self.check_success(run(self.dir))
        self.assertRegex(out, r"Step 5: access key of user curated-packages-user: created")
        config = os.path.join(self.dir, "config")
        secret = os.path.join(self.dir, "aws-secret.yaml")
        for path in (config, secret):
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(config) as f:
            text = f.read()
        self.assertIn("role_arn=arn:aws:iam::111111111111:role/curated-packages-role", text)
        self.assertIn("region=us-west-2", text)
        self.assertNotIn(re.search(r"aws_secret_access_key=(\S+)", text).group(1), out)
        with open(secret) as f:
            doc = yaml.safe_load(f)
        self.assertEqual(doc["metadata"], {"name": "aws-secret", "namespace": "eksa-packages"})
        self.assertEqual(base64.b64decode(doc["data"]["config"]).decode(), text)
        # A second run over the same directory reuses the server data: nothing changes.
        out = self.check_success(run(self.dir))
        self.assertIn("Step 6: %s: unchanged" % config, out)
        with open(config) as f:
            self.assertEqual(f.read(), text)

    def test_unusable_dir_fails(self):
        blocker = os.path.join(self.tmp, "file")
        open(blocker, "w").close()
        r = run(os.path.join(blocker, "sub"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cpa quickstart: FAILED", r.stderr)


if __name__ == "__main__":
    CPA = sys.argv.pop(1)
    unittest.main()
