#!/usr/bin/env python3
"""`cpa agent` and `cpa kubelet-credential-provider` end to end, against `cpa serve`.

Reads top to bottom as the story it checks:
  1. `cpa serve` starts (accounts 111111111111 and 999999999999; every packages account holds
     the seeded curated packages); `cpa share` sets up the spec's cross-account chain in one call
     and writes the spec's config file; 111111111111 subscribes in us-west-2.
  2. `EKSA_AWS_CONFIG_FILE=<config> cpa agent --once --docker-config out.json
     --registry-domain localhost` writes the packages registry's login into out.json (merged
     with what was there, mode 0600), and skopeo inspects and copies the seeded bundle with
     `--authfile out.json`. The aws-secret Secret mounted as files works too, in both forms.
  3. `cpa kubelet-credential-provider` answers a CredentialProviderRequest; its auth, written
     into an authfile, lets skopeo pull. Non-ECR images and bad requests fail.
  4. The daemon serves /healthz and /metrics and stops cleanly on SIGTERM.
  5. Faults: STS unreachable, the role's trust statement removed (AccessDenied), a malformed
     config, and an unwritable docker config (a full disk; a read-only directory: by its mode,
     or as root by a read-only bind mount in a private mount namespace): each fails with its
     cause named, and the old docker config stays intact.

Registry names (<account>.dkr.ecr.us-west-2.localhost) resolve to 127.0.0.1 through a private
mount namespace whose /etc/hosts lists them (tests/support/with-private-hosts); the test re-runs
itself inside it.

Usage: agent_e2e_test.py PATH_TO_CPA
"""
import base64
import configparser
import json
import os
import re
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WITH_HOSTS = os.path.join(ROOT, "tests", "support", "with-private-hosts")

REGION = "us-west-2"
SRC, DST = "111111111111", "999999999999"
PACKAGES_ACCOUNT = "346438352937"  # us-west-2 in the packages registry table
ROLE = "curated-packages-role"
CPA = None
S = {}


def packages_host():
    return f"{PACKAGES_ACCOUNT}.dkr.ecr.{REGION}.localhost:{S['port']}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrubbed_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and not k.startswith("EKSA_")}
    env.update({"HOME": S["home"], "AWS_EC2_METADATA_DISABLED": "true"})
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def run(argv, env, stdin=None, check=False, preexec_fn=None, timeout=120):
    return subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=preexec_fn)


def agent(*args, config=None, preexec_fn=None, **env):
    """cpa agent with the spec's config through EKSA_AWS_CONFIG_FILE and cpa serve's endpoint."""
    extra = {"AWS_ENDPOINT_URL": S["url"]}
    if config is not None:
        extra["EKSA_AWS_CONFIG_FILE"] = config
    extra.update(env)
    return run([CPA, "agent", "--registry-domain", "localhost", *args], scrubbed_env(**extra),
               preexec_fn=preexec_fn)


def skopeo(*args):
    return subprocess.run(["skopeo", "--insecure-policy", *args], capture_output=True, text=True,
                          timeout=300)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def root(service, account):
    key, secret = S["root"][account]
    return boto3.client(service, endpoint_url=S["url"], region_name=REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret)


def setUpModule():
    tmp = tempfile.mkdtemp(prefix="cpa-agent-e2e-")
    S["tmp"] = tmp
    S["home"] = os.path.join(tmp, "home")
    os.makedirs(S["home"])
    S["log"] = open(os.path.join(tmp, "server.log"), "w+b")
    data = os.path.join(tmp, "data")
    proc = subprocess.Popen([CPA, "serve", "--listen", "127.0.0.1:0", "--data", data,
                             "--registry-domain", "localhost", "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=S["log"], start_new_session=True)
    S["proc"] = proc
    line = proc.stdout.readline().decode()
    m = re.match(r"cpa serve: listening on (http://127\.0\.0\.1:(\d+)), data ", line)
    if not m:
        tearDownModule()
        raise RuntimeError(f"no ready line from cpa serve: {line!r}")
    S["url"], S["port"] = m.group(1), int(m.group(2))
    creds_file = os.path.join(data, "root-credentials")
    creds = configparser.ConfigParser()
    creds.read(creds_file)
    S["root"] = {a: (creds["account-" + a]["aws_access_key_id"],
                     creds["account-" + a]["aws_secret_access_key"]) for a in (SRC, DST)}

    # The spec's steps 2-6 in one call, and the subscription that grants 111111111111 access.
    out = os.path.join(tmp, "share")
    empty = os.path.join(tmp, "empty-config")
    open(empty, "w").close()
    r = run([CPA, "share", "--source-profile", "account-" + SRC, "--target-profile",
             "account-" + DST, "--region", REGION, "--out", out],
            scrubbed_env(AWS_SHARED_CREDENTIALS_FILE=creds_file, AWS_CONFIG_FILE=empty,
                         AWS_ENDPOINT_URL=S["url"]))
    if r.returncode != 0:
        tearDownModule()
        raise RuntimeError("cpa share failed: " + r.stderr)
    S["config"] = os.path.join(out, "config")
    root("eks", SRC).create_eks_anywhere_subscription(
        name="agent-e2e", term={"duration": 12, "unit": "MONTHS"}, licenseQuantity=1,
        licenseType="Cluster")
    with open(S["config"]) as f:
        S["config_text"] = f.read()
    S["user_secret"] = re.search(r"aws_secret_access_key=(\S+)", S["config_text"]).group(1)


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
    if os.environ.get("CPA_KEEP_WORK"):
        print("work directory kept:", S.get("tmp"), file=sys.stderr)
    elif S.get("tmp"):
        shutil.rmtree(S["tmp"], ignore_errors=True)


class T1Once(unittest.TestCase):
    def assertNoSecrets(self, r, *secrets):
        for secret in (S["user_secret"], *secrets):
            self.assertNotIn(secret, r.stdout + r.stderr)

    def test_1_writes_a_merged_docker_config(self):
        out = os.path.join(S["tmp"], "docker", "config.json")
        os.makedirs(os.path.dirname(out))
        with open(out, "w") as f:
            json.dump({"auths": {"quay.io": {"auth": "eDp5"}}, "credsStore": "none"}, f)
        r = agent("--once", "--docker-config", out, config=S["config"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^wrote 1 registry login\(s\) to docker config " +
                         re.escape(out) + r", valid until \d{4}-\d\d-\d\dT")
        self.assertIn("AWS settings from EKSA_AWS_CONFIG_FILE (shared config file)", r.stderr)
        self.assertIn(f"region {REGION} (region of profile `default` in {S['config']})", r.stderr)
        self.assertIn(f"registry {PACKAGES_ACCOUNT}.dkr.ecr.{REGION}.localhost (curated packages "
                      f"registry of {REGION}, profile `default`)", r.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        doc = json.loads(read(out))
        self.assertEqual(doc["credsStore"], "none")
        self.assertEqual(doc["auths"]["quay.io"], {"auth": "eDp5"})
        entry = doc["auths"][packages_host()]
        self.assertEqual(entry["username"], "AWS")
        self.assertEqual(base64.b64decode(entry["auth"]).decode(), "AWS:" + entry["password"])
        self.assertNoSecrets(r, entry["password"])
        S["docker_config"] = out

    def test_2_skopeo_pulls_the_bundle_with_the_authfile(self):
        out = S["docker_config"]
        tags = skopeo("list-tags", "--tls-verify=false", "--authfile", out,
                      f"docker://{packages_host()}/eks-anywhere-packages-bundles")
        self.assertEqual(tags.returncode, 0, tags.stderr)
        latest = sorted(t for t in json.loads(tags.stdout)["Tags"] if t.endswith("-latest"))
        self.assertTrue(latest, tags.stdout)
        S["bundle"] = f"{packages_host()}/eks-anywhere-packages-bundles:{latest[-1]}"
        inspect = skopeo("inspect", "--raw", "--tls-verify=false", "--authfile", out,
                         "docker://" + S["bundle"])
        self.assertEqual(inspect.returncode, 0, inspect.stderr)
        manifest = json.loads(inspect.stdout)
        self.assertEqual(manifest["schemaVersion"], 2)
        dest = os.path.join(S["tmp"], "bundle")
        copy = skopeo("copy", "--src-tls-verify=false", "--authfile", out,
                      "docker://" + S["bundle"], f"dir:{dest}")
        self.assertEqual(copy.returncode, 0, copy.stderr)
        layer = manifest["layers"][0]["digest"].split(":")[1]
        self.assertIn(b"kind: PackageBundle", read(os.path.join(dest, layer)))
        # Without the login the registry refuses.
        anonymous = skopeo("inspect", "--raw", "--tls-verify=false", "--no-creds",
                           "docker://" + S["bundle"])
        self.assertNotEqual(anonymous.returncode, 0)

    def test_3_aws_secret_mounted_as_files(self):
        # The spec's Secret: empty key fields and the config (the controller's precedence).
        secret = os.path.join(S["tmp"], "aws-creds")
        os.makedirs(secret)
        for key, value in (("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", ""),
                           ("REGION", ""), ("config", S["config_text"])):
            with open(os.path.join(secret, key), "w") as f:
                f.write(value)
        out = os.path.join(S["tmp"], "secret-dir.json")
        r = agent("--once", "--secret-dir", secret, "--docker-config", out,
                  EKSA_AWS_CONFIG_FILE="/nonexistent")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"AWS settings from --secret-dir {secret} (shared config file)", r.stderr)
        self.assertIn("EKSA_AWS_CONFIG_FILE ignored", r.stderr)
        self.assertIn(packages_host(), json.loads(read(out))["auths"])

        # The key form, with upstream's single quotes: a session of the role (keys and token).
        user_key = re.search(r"aws_access_key_id=(\S+)", S["config_text"]).group(1)
        sts = boto3.client("sts", endpoint_url=S["url"], region_name=REGION,
                           aws_access_key_id=user_key, aws_secret_access_key=S["user_secret"])
        session = sts.assume_role(RoleArn=f"arn:aws:iam::{SRC}:role/{ROLE}",
                                  RoleSessionName="secret-keys")["Credentials"]
        keys = os.path.join(S["tmp"], "aws-keys")
        os.makedirs(keys)
        secret_key = session["SecretAccessKey"]
        for name, value in (("AWS_ACCESS_KEY_ID", f"'{session['AccessKeyId']}'"),
                            ("AWS_SECRET_ACCESS_KEY", f"'{secret_key}'\n"),
                            ("AWS_SESSION_TOKEN", session["SessionToken"]),
                            ("REGION", f"'{REGION}'")):
            with open(os.path.join(keys, name), "w") as f:
                f.write(value)
        out2 = os.path.join(S["tmp"], "keys.json")
        r = agent("--once", "--secret-dir", keys, "--docker-config", out2)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(static keys)", r.stderr)
        self.assertIn(f"region {REGION} (REGION of --secret-dir {keys})", r.stderr)
        self.assertNoSecrets(r, secret_key, session["SessionToken"])
        inspect = skopeo("inspect", "--raw", "--tls-verify=false", "--authfile", out2,
                         "docker://" + S["bundle"])
        self.assertEqual(inspect.returncode, 0, inspect.stderr)


def reference_token_expiry():
    """The expiry (Unix time) of a token GetAuthorizationToken gives the spec's role now."""
    user_key = re.search(r"aws_access_key_id=(\S+)", S["config_text"]).group(1)
    sts = boto3.client("sts", endpoint_url=S["url"], region_name=REGION,
                       aws_access_key_id=user_key, aws_secret_access_key=S["user_secret"])
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{SRC}:role/{ROLE}",
                        RoleSessionName="reference")["Credentials"]
    ecr = boto3.client("ecr", endpoint_url=S["url"], region_name=REGION,
                       aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                       aws_session_token=c["SessionToken"])
    return ecr.get_authorization_token()["authorizationData"][0]["expiresAt"].timestamp()


def kubelet_request(image, version="v1", kind="CredentialProviderRequest"):
    return json.dumps({"apiVersion": f"credentialprovider.kubelet.k8s.io/{version}",
                       "kind": kind, "image": image})


def kubelet(stdin, **env):
    # As the credential-provider package configures it: AWS_PROFILE and AWS_CONFIG_FILE.
    base = {"AWS_PROFILE": "default", "AWS_CONFIG_FILE": S["config"],
            "AWS_ENDPOINT_URL": S["url"]}
    base.update(env)
    return run([CPA, "kubelet-credential-provider"], scrubbed_env(**base), stdin=stdin)


class T2Kubelet(unittest.TestCase):
    def test_1_response_lets_skopeo_pull(self):
        r = kubelet(kubelet_request(S["bundle"]))
        self.assertEqual(r.returncode, 0, r.stderr)
        response = json.loads(r.stdout)
        self.assertEqual(response["apiVersion"], "credentialprovider.kubelet.k8s.io/v1")
        self.assertEqual(response["kind"], "CredentialProviderResponse")
        self.assertEqual(response["cacheKeyType"], "Registry")
        # Half of the token's remaining life (Go duration syntax). The same chain through boto3
        # gets a token of the same lifetime: cpa serve ends it with the role session, if sooner
        # than ECR's 12 hours.
        m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(\d+)s", response["cacheDuration"])
        self.assertTrue(m, response["cacheDuration"])
        cache = sum(int(g or 0) * f for g, f in zip(m.groups(), (3600, 60, 1)))
        expected = (reference_token_expiry() - time.time()) / 2
        self.assertLessEqual(abs(cache - expected), 60, (cache, expected))
        self.assertLessEqual(cache, 6 * 3600)
        auth = response["auth"][packages_host()]
        self.assertEqual(auth["username"], "AWS")
        self.assertNotIn(auth["password"], r.stderr)
        authfile = os.path.join(S["tmp"], "kubelet-auth.json")
        with open(authfile, "w") as f:
            json.dump({"auths": {host: {"auth": base64.b64encode(
                f"{a['username']}:{a['password']}".encode()).decode()}
                for host, a in response["auth"].items()}}, f)
        inspect = skopeo("inspect", "--raw", "--tls-verify=false", "--authfile", authfile,
                         "docker://" + S["bundle"])
        self.assertEqual(inspect.returncode, 0, inspect.stderr)

    def test_2_older_api_versions_are_answered_in_kind(self):
        r = kubelet(kubelet_request(S["bundle"], "v1alpha1"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["apiVersion"],
                         "credentialprovider.kubelet.k8s.io/v1alpha1")

    def test_3_bad_requests(self):
        for stdin, message in (
                (kubelet_request("docker.io/library/nginx:1"),
                 "docker.io is not a valid ECR repository URL"),
                (kubelet_request(S["bundle"], "v2"), "is not supported"),
                (kubelet_request(S["bundle"], "v1", "Pod"), "expected CredentialProviderRequest"),
                ("{not json", "not valid JSON")):
            with self.subTest(message=message):
                r = kubelet(stdin)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertEqual(r.stdout, "")
                self.assertIn("cpa kubelet-credential-provider: " , r.stderr)
                self.assertIn(message, r.stderr)


class T3Daemon(unittest.TestCase):
    def test_health_metrics_and_sigterm(self):
        out = os.path.join(S["tmp"], "daemon.json")
        env = scrubbed_env(EKSA_AWS_CONFIG_FILE=S["config"], AWS_ENDPOINT_URL=S["url"])
        proc = subprocess.Popen([CPA, "agent", "--registry-domain", "localhost",
                                 "--docker-config", out, "--listen", "127.0.0.1:0"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        try:
            address = None
            lines = []
            deadline = time.time() + 30
            while time.time() < deadline and address is None:
                line = proc.stderr.readline()
                if not line:
                    break
                lines.append(line)
                m = re.search(r"serving /healthz and /metrics on (http://127\.0\.0\.1:\d+)", line)
                if m:
                    address = m.group(1)
            self.assertIsNotNone(address, "".join(lines))
            status, body = None, ""
            while time.time() < deadline:
                try:
                    with urllib.request.urlopen(address + "/healthz", timeout=5) as resp:
                        status, body = resp.status, resp.read().decode()
                        break
                except urllib.error.HTTPError as e:
                    status, body = e.code, e.read().decode()
                    time.sleep(0.1)
            self.assertEqual(status, 200, body)
            self.assertTrue(body.startswith("ok: 1 registry login(s) valid until "), body)
            with urllib.request.urlopen(address + "/metrics", timeout=5) as resp:
                metrics = resp.read().decode()
                self.assertIn("text/plain", resp.headers["Content-Type"])
            self.assertIn("cpa_agent_credentials_valid 1\n", metrics)
            self.assertIn('cpa_agent_refreshes_total{outcome="success"} 1\n', metrics)
            self.assertRegex(metrics, r"cpa_agent_next_refresh_timestamp_seconds \d+\n")
            self.assertIn(packages_host(), json.loads(read(out))["auths"])
            proc.send_signal(signal.SIGTERM)
            rest = proc.communicate(timeout=15)[1]
            self.assertEqual(proc.returncode, 0, rest)
            self.assertIn("received SIGTERM, stopping", rest)
            self.assertIn("next refresh at ", "".join(lines) + rest)
            self.assertNotIn(S["user_secret"], "".join(lines) + rest)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


class T4Faults(unittest.TestCase):
    def setUp(self):
        self.out = S["docker_config"]
        self.before = read(self.out)

    def assertUnchanged(self):
        self.assertEqual(read(self.out), self.before)

    def test_1_sts_unreachable_keeps_the_old_config(self):
        r = agent("--once", "--docker-config", self.out, config=S["config"],
                  AWS_ENDPOINT_URL_STS=f"http://127.0.0.1:{free_port()}")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("refresh failed [network]: profile `default` in us-west-2", r.stderr)
        self.assertIn("sts:AssumeRole: HTTP request to http://127.0.0.1:", r.stderr)
        self.assertIn("failed (network)", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertUnchanged()

    def test_2_trust_statement_removed_is_access_denied(self):
        iam = root("iam", SRC)
        trust = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
        other = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                "Principal": {"AWS": "arn:aws:iam::888888888888:root"}}]}
        iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(other))
        try:
            r = agent("--once", "--docker-config", self.out, config=S["config"])
        finally:
            iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("refresh failed [access_denied]", r.stderr)
        self.assertIn("sts:AssumeRole", r.stderr)
        self.assertIn(f"arn:aws:iam::{SRC}:role/{ROLE}", r.stderr)
        self.assertUnchanged()
        # With the trust statement back, the same command works again.
        r = agent("--once", "--docker-config", self.out, config=S["config"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.before = read(self.out)

    def test_3_malformed_config_names_file_and_line(self):
        bad = os.path.join(S["tmp"], "bad-config")
        with open(bad, "w") as f:
            f.write(S["config_text"].replace("[profile curated-packages-user]",
                                             "[profile curated-packages-user"))
        r = agent("--once", "--docker-config", self.out, config=bad)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn(f"malformed AWS config: {bad} line 6", r.stderr)
        self.assertNotIn(S["user_secret"], r.stderr)
        self.assertUnchanged()

        r = agent("--once", "--docker-config", self.out,
                  config=os.path.join(S["tmp"], "missing-config"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing-config does not exist", r.stderr)

    def test_4_full_disk_keeps_the_old_config(self):
        def small_files():
            # Writes past 64 bytes fail with EFBIG, as on a full disk.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
        r = agent("--once", "--docker-config", self.out, config=S["config"],
                  preexec_fn=small_files)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("refresh failed [output]: docker config " + self.out, r.stderr)
        self.assertIn("the previous file is kept", r.stderr)
        self.assertIn("File too large", r.stderr)
        self.assertUnchanged()
        leftovers = [n for n in os.listdir(os.path.dirname(self.out)) if ".tmp-" in n]
        self.assertEqual(leftovers, [])

    def test_5_unwritable_directory_keeps_the_old_config(self):
        # A path under a regular file can never be written, even as root.
        blocked = os.path.join(S["tmp"], "plain-file")
        open(blocked, "w").close()
        r = agent("--once", "--docker-config", os.path.join(blocked, "config.json"),
                  config=S["config"])
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("[output]", r.stderr)
        self.assertIn("Not a directory", r.stderr)
        directory = os.path.dirname(self.out)
        if os.geteuid() == 0:
            # Root ignores directory permissions: the directory is made read-only by a bind mount
            # in a private mount namespace instead (nothing changes outside the agent's process).
            env = scrubbed_env(AWS_ENDPOINT_URL=S["url"], EKSA_AWS_CONFIG_FILE=S["config"])
            r = run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                     'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"',
                     directory, CPA, "agent", "--registry-domain", "localhost", "--once",
                     "--docker-config", self.out], env)
            expected = "Read-only file system"
        else:
            os.chmod(directory, 0o500)
            try:
                r = agent("--once", "--docker-config", self.out, config=S["config"])
            finally:
                os.chmod(directory, 0o700)
            expected = "Permission denied"
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("[output]", r.stderr)
        self.assertIn(expected, r.stderr)
        self.assertUnchanged()


def rerun_with_registry_hosts():
    for tool in ("skopeo", "unshare"):
        if shutil.which(tool) is None:
            sys.exit(f"agent_e2e_test: {tool} not found (scripts/bootstrap installs it)")
    hosts = tempfile.NamedTemporaryFile("w", prefix="cpa-hosts-", delete=False)
    hosts.write("127.0.0.1 localhost\n::1 localhost\n")
    for account in (SRC, DST, PACKAGES_ACCOUNT):
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
        sys.exit("usage: agent_e2e_test.py PATH_TO_CPA")
    if os.environ.get("CPA_PRIVATE_HOSTS") is None:
        sys.exit(rerun_with_registry_hosts())
    CPA = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2, failfast=True)
