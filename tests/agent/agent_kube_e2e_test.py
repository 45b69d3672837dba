#!/usr/bin/env python3
"""`cpa agent --kube` end to end: aws-secret in, ecr-token out, through a Kubernetes API server.

Reads top to bottom as the story it checks:
  1. `cpa serve` starts and `cpa share` sets up the spec's chain, as in agent_e2e_test.py (whose
     module setup this test reuses); tests/support/kube_api_server.py starts (HTTPS, its own
     CA, an admin token and a ServiceAccount token under an RBAC map). The aws-secret.yaml that
     `cpa share` wrote is stored as Secret eksa-packages/aws-secret, and ConfigMap ns-secret-map
     in eksa-packages-c1 names the target namespaces.
  2. `cpa agent --once --kube KUBECONFIG --cluster c1 --namespace extra` creates Secret ecr-token
     (kubernetes.io/dockerconfigjson, the EKS Anywhere refresher's payload bytes) in
     eksa-packages-c1, emissary-system and extra; the payload, written as an authfile, lets
     skopeo pull the seeded bundle. A second run updates each Secret (new resourceVersion, same
     keys). Injected 409 Conflicts on PUT are retried and the run succeeds.
  3. Faults: a malformed `config` in aws-secret fails naming the Secret's key and writes no
     ecr-token; with RBAC that lacks `create` on secrets, a new target namespace is reported as
     access_denied (the other namespaces are still updated), in the log and, for the daemon, in
     /metrics; the daemon picks up a changed aws-secret without a restart.
No password, key or token appears in the agent's output.

Usage: agent_kube_e2e_test.py PATH_TO_CPA
"""
import base64
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import agent_e2e_test as base  # noqa: E402  (cpa serve, cpa share, the subscription, skopeo)

ROOT = base.ROOT
KUBE_SERVER = os.path.join(ROOT, "tests", "support", "kube_api_server.py")
CLUSTER = "c1"
ADMIN_TOKEN = "admin-token"
AGENT_TOKEN = "agent-token"
AGENT_USER = "system:serviceaccount:eksa-packages:cpa-agent"
TARGETS = ["eksa-packages-c1", "emissary-system", "extra"]
S = base.S
K = {}


def kube(method, path, body=None):
    """A call to the test API server as admin; returns (status, decoded JSON)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(K["url"] + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + ADMIN_TOKEN)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, context=K["tls"], timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def control(method, path, body=None):
    status, answer = kube(method, "/_test/" + path, body)
    assert status == 200, (status, answer)
    return answer


def ecr_token(namespace):
    status, secret = kube("GET", f"/api/v1/namespaces/{namespace}/secrets/ecr-token")
    return secret if status == 200 else None


def payload_of(secret):
    return base64.b64decode(secret["data"][".dockerconfigjson"]).decode()


def seed_ns_secret_map(*extra_keys):
    data = {"eksa-packages-c1": "eksa-package-controller",
            "emissary-system": "eksa-package-placeholder"}
    data.update({k: "harbor" for k in extra_keys})
    control("POST", "objects", [{"kind": "ConfigMap", "apiVersion": "v1",
                                 "metadata": {"name": "ns-secret-map",
                                              "namespace": "eksa-packages-c1"},
                                 "data": data}])


def seed_aws_secret(config_text=None):
    """The aws-secret.yaml `cpa share` wrote, or the same Secret with another `config`."""
    with open(os.path.join(os.path.dirname(S["config"]), "aws-secret.yaml")) as f:
        secret = yaml.safe_load(f)
    if config_text is not None:
        secret["data"]["config"] = base64.b64encode(config_text.encode()).decode()
    control("POST", "objects", [secret])


def kube_agent(*args, kubeconfig=None):
    env = base.scrubbed_env(AWS_ENDPOINT_URL=S["url"])
    return base.run([base.CPA, "agent", "--registry-domain", "localhost",
                     "--kube", kubeconfig or K["kubeconfig"], *args], env)


def requests_since_last():
    seen = control("GET", "requests")
    control("DELETE", "requests")
    return [r for r in seen if r["path"].startswith("/api/")]


def setUpModule():
    base.CPA = CPA
    base.setUpModule()
    tmp = S["tmp"]
    rules = [
        {"verbs": ["get"], "resources": ["secrets"], "namespaces": ["eksa-packages"],
         "resourceNames": ["aws-secret"]},
        {"verbs": ["get"], "resources": ["configmaps"], "namespaces": ["eksa-packages-c1"],
         "resourceNames": ["ns-secret-map"]},
        # deploy/rbac.yaml's cpa-agent-ecr-token without its `create` rule.
        {"verbs": ["get", "update"], "resources": ["secrets"], "resourceNames": ["ecr-token"]},
    ]
    rbac = os.path.join(tmp, "rbac.json")
    with open(rbac, "w") as f:
        json.dump({"tokens": {AGENT_TOKEN: AGENT_USER}, "users": {AGENT_USER: {"rules": rules}}},
                  f)
    ready = os.path.join(tmp, "kube-ready.json")
    K["proc"] = subprocess.Popen(
        [sys.executable, KUBE_SERVER, "--ready-file", ready, "--exit-on-stdin-eof",
         "--token", ADMIN_TOKEN, "--rbac", rbac, "--namespace", "emissary-system",
         "--namespace", "extra", "--namespace", "team-new",
         "--kubeconfig", os.path.join(tmp, "kubeconfig")],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 30
    while not os.path.exists(ready):
        if K["proc"].poll() is not None or time.time() > deadline:
            tearDownModule()
            raise RuntimeError("the Kubernetes test API server did not start")
        time.sleep(0.05)
    with open(ready) as f:
        info = json.load(f)
    K["url"], K["kubeconfig"] = info["url"], info["kubeconfig"]
    K["tls"] = ssl.create_default_context(cafile=info["ca_file"])
    # The same cluster as the ServiceAccount (RBAC-limited) instead of admin.
    with open(K["kubeconfig"]) as f:
        config = yaml.safe_load(f)
    config["users"][0]["user"]["token"] = AGENT_TOKEN
    K["agent_kubeconfig"] = os.path.join(tmp, "agent-kubeconfig")
    with open(K["agent_kubeconfig"], "w") as f:
        yaml.safe_dump(config, f)
    seed_aws_secret()
    seed_ns_secret_map()


def tearDownModule():
    proc = K.get("proc")
    if proc is not None:
        proc.stdin.close()  # --exit-on-stdin-eof
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    base.tearDownModule()


class T1Once(unittest.TestCase):
    def assertNoSecrets(self, r, *secrets):
        for secret in (S["user_secret"], *secrets):
            self.assertNotIn(secret, r.stdout + r.stderr)

    def test_1_creates_ecr_token_in_every_target_namespace(self):
        requests_since_last()
        r = kube_agent("--once", "--cluster", CLUSTER, "--namespace", "extra")
        calls = [(q["method"], q["path"]) for q in requests_since_last()]
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^wrote 1 registry login\(s\) to Secret ecr-token in "
                         r"namespace\(s\) eksa-packages-c1, emissary-system, extra, valid until "
                         r"\d{4}-\d\d-\d\dT")
        self.assertIn("AWS settings from Secret eksa-packages/aws-secret (shared config file)",
                      r.stderr)
        self.assertIn(f"Kubernetes API {K['url']} (kubeconfig ", r.stderr)
        host = base.packages_host()
        for ns in TARGETS:
            with self.subTest(namespace=ns):
                self.assertRegex(r.stderr, rf"Secret {ns}/ecr-token: created \(resourceVersion "
                                           r"\d+\)")
                secret = ecr_token(ns)
                self.assertIsNotNone(secret)
                self.assertEqual(secret["type"], "kubernetes.io/dockerconfigjson")
                self.assertEqual(list(secret["data"]), [".dockerconfigjson"])
                payload = payload_of(secret)
                doc = json.loads(payload)
                self.assertEqual(list(doc["auths"]), ["https://" + host])
                entry = doc["auths"]["https://" + host]
                # The refresher's bytes: compact, its field order, its placeholder email.
                self.assertEqual(list(entry), ["username", "password", "email", "auth"])
                self.assertEqual(payload, json.dumps(doc, separators=(",", ":")))
                self.assertEqual(entry["username"], "AWS")
                self.assertEqual(entry["email"], "test@test.com")
                self.assertEqual(base64.b64decode(entry["auth"]).decode(),
                                 "AWS:" + entry["password"])
                self.assertNoSecrets(r, entry["password"])
        K["payload"] = payload
        # The agent read by name and wrote with GET then POST: no list, no watch.
        self.assertEqual(calls[:2], [
            ("GET", "/api/v1/namespaces/eksa-packages/secrets/aws-secret"),
            ("GET", "/api/v1/namespaces/eksa-packages-c1/configmaps/ns-secret-map")])
        self.assertEqual(sorted(m for m, _ in calls[2:]), ["GET"] * 3 + ["POST"] * 3)

    def test_2_skopeo_pulls_with_the_secrets_payload(self):
        authfile = os.path.join(S["tmp"], "ecr-token-auth.json")
        with open(authfile, "w") as f:
            f.write(payload_of(ecr_token("extra")))
        repo = f"docker://{base.packages_host()}/eks-anywhere-packages-bundles"
        tags = base.skopeo("list-tags", "--tls-verify=false", "--authfile", authfile, repo)
        self.assertEqual(tags.returncode, 0, tags.stderr)
        latest = sorted(t for t in json.loads(tags.stdout)["Tags"] if t.endswith("-latest"))
        self.assertTrue(latest, tags.stdout)
        inspect = base.skopeo("inspect", "--raw", "--tls-verify=false", "--authfile", authfile,
                              f"{repo}:{latest[-1]}")
        self.assertEqual(inspect.returncode, 0, inspect.stderr)
        self.assertEqual(json.loads(inspect.stdout)["schemaVersion"], 2)

    def test_3_a_second_run_updates_each_secret(self):
        before = {ns: ecr_token(ns)["metadata"]["resourceVersion"] for ns in TARGETS}
        r = kube_agent("--once", "--cluster", CLUSTER, "--namespace", "extra")
        self.assertEqual(r.returncode, 0, r.stderr)
        for ns in TARGETS:
            with self.subTest(namespace=ns):
                secret = ecr_token(ns)
                self.assertNotEqual(secret["metadata"]["resourceVersion"], before[ns])
                self.assertRegex(r.stderr, rf"Secret {ns}/ecr-token: updated \(resourceVersion "
                                           rf"{secret['metadata']['resourceVersion']}\)")
                self.assertEqual(list(secret["data"]), [".dockerconfigjson"])
                self.assertEqual(list(json.loads(payload_of(secret))["auths"]),
                                 list(json.loads(K["payload"])["auths"]))
                self.assertNotEqual(payload_of(secret), K["payload"])

    def test_4_conflicts_on_update_are_retried(self):
        # Two PUTs answered 409 Conflict; and a real conflict: another writer changes the
        # Secret between the agent's GET and PUT.
        control("POST", "faults", {"method": "PUT", "path_contains": "emissary-system/secrets/"
                                   "ecr-token", "count": 2, "code": 409})
        control("POST", "faults", {"method": "PUT", "path_contains": "extra/secrets/ecr-token",
                                   "count": 1, "action": "touch"})
        requests_since_last()
        try:
            r = kube_agent("--once", "--cluster", CLUSTER, "--namespace", "extra")
        finally:
            control("POST", "faults", {"clear": True})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"Secret emissary-system/ecr-token: updated \(resourceVersion "
                                   r"\d+, after 3 tries\)")
        self.assertRegex(r.stderr, r"Secret extra/ecr-token: updated \(resourceVersion \d+, "
                                   r"after 2 tries\)")
        conflicts = [q for q in requests_since_last() if q["code"] == 409]
        self.assertEqual(len(conflicts), 3, conflicts)


class T2Faults(unittest.TestCase):
    def test_1_malformed_config_in_the_secret(self):
        before = {ns: ecr_token(ns)["metadata"]["resourceVersion"] for ns in TARGETS}
        seed_aws_secret(S["config_text"].replace("[profile curated-packages-user]",
                                                 "[profile curated-packages-user"))
        requests_since_last()
        try:
            r = kube_agent("--once", "--cluster", CLUSTER, "--namespace", "extra")
        finally:
            seed_aws_secret()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("refresh failed [config]: malformed AWS config: Secret "
                      "eksa-packages/aws-secret key `config` line 6", r.stderr)
        self.assertIn("failed (config)", r.stderr)
        self.assertNotIn(S["user_secret"], r.stderr)
        self.assertEqual(r.stdout, "")
        writes = [q for q in requests_since_last() if q["method"] != "GET"]
        self.assertEqual(writes, [])
        for ns in TARGETS:
            self.assertEqual(ecr_token(ns)["metadata"]["resourceVersion"], before[ns])

    def test_2_forbidden_create_is_access_denied(self):
        # A new target namespace, and RBAC without `create` on secrets: its ecr-token cannot be
        # created; the Secrets that exist are still updated.
        seed_ns_secret_map("team-new")
        before = {ns: ecr_token(ns)["metadata"]["resourceVersion"] for ns in TARGETS}
        try:
            r = kube_agent("--once", "--cluster", CLUSTER, "--namespace", "extra",
                           kubeconfig=K["agent_kubeconfig"])
        finally:
            seed_ns_secret_map()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("refresh failed [access_denied]: Secret team-new/ecr-token: create secret "
                      "team-new/ecr-token", r.stderr)
        self.assertIn(f'User "{AGENT_USER}" cannot create resource "secrets"', r.stderr)
        self.assertIn("failed (access_denied)", r.stderr)
        self.assertIsNone(ecr_token("team-new"))
        for ns in TARGETS:
            self.assertNotEqual(ecr_token(ns)["metadata"]["resourceVersion"], before[ns])

    def test_3_daemon_metrics_and_a_changed_secret(self):
        seed_ns_secret_map("team-new")
        env = base.scrubbed_env(AWS_ENDPOINT_URL=S["url"])
        proc = subprocess.Popen(
            [base.CPA, "agent", "--registry-domain", "localhost", "--kube",
             K["agent_kubeconfig"], "--cluster", CLUSTER, "--listen", "127.0.0.1:0"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        lines = []
        try:
            address = None
            deadline = time.time() + 20
            while time.time() < deadline and address is None:
                line = proc.stderr.readline()
                if not line:
                    break
                lines.append(line)
                m = re.search(r"serving /healthz and /metrics on (http://127\.0\.0\.1:\d+)", line)
                address = m.group(1) if m else None
            self.assertIsNotNone(address, "".join(lines))

            def metrics():
                with urllib.request.urlopen(address + "/metrics", timeout=5) as resp:
                    return resp.read().decode()
            text = ""
            while time.time() < deadline and 'outcome="failure"} 1' not in text:
                time.sleep(0.1)
                text = metrics()
            self.assertIn('cpa_agent_refresh_failures_total{cause="access_denied"} 1\n', text)
            # Stored in the namespaces that allow it: the logins in place are valid.
            self.assertIn("cpa_agent_credentials_valid 1\n", text)

            # The Secret changes (a REGION is added): the retry plans again, no restart.
            with open(os.path.join(os.path.dirname(S["config"]), "aws-secret.yaml")) as f:
                secret = yaml.safe_load(f)
            secret["data"]["REGION"] = base64.b64encode(base.REGION.encode()).decode()
            control("POST", "objects", [secret])
            while time.time() < deadline:
                line = proc.stderr.readline()
                lines.append(line)
                if "changed: planning again" in line or not line:
                    break
            self.assertIn("the AWS settings in Secret eksa-packages/aws-secret changed: "
                          "planning again", "".join(lines))
            proc.send_signal(signal.SIGTERM)
            rest = proc.communicate(timeout=15)[1]
            lines.append(rest)
            self.assertEqual(proc.returncode, 0, rest)
            self.assertNotIn(S["user_secret"], "".join(lines))
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
            seed_ns_secret_map()
            seed_aws_secret()


def rerun_with_registry_hosts():
    """As agent_e2e_test.py: again, inside a mount namespace whose /etc/hosts names the
    registry hosts."""
    for tool in ("skopeo", "unshare", "openssl"):
        if shutil.which(tool) is None:
            sys.exit(f"agent_kube_e2e_test: {tool} not found (scripts/bootstrap installs it)")
    hosts = tempfile.NamedTemporaryFile("w", prefix="cpa-hosts-", delete=False)
    hosts.write("127.0.0.1 localhost\n::1 localhost\n")
    for account in (base.SRC, base.DST, base.PACKAGES_ACCOUNT):
        hosts.write(f"127.0.0.1 {account}.dkr.ecr.{base.REGION}.localhost\n")
    hosts.close()
    try:
        env = dict(os.environ, CPA_PRIVATE_HOSTS=hosts.name)
        return subprocess.run([base.WITH_HOSTS, hosts.name, sys.executable,
                               os.path.abspath(__file__), *sys.argv[1:]], env=env).returncode
    finally:
        os.unlink(hosts.name)


CPA = None

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: agent_kube_e2e_test.py PATH_TO_CPA")
    if os.environ.get("CPA_PRIVATE_HOSTS") is None:
        sys.exit(rerun_with_registry_hosts())
    CPA = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2, failfast=True)
