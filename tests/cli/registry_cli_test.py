#!/usr/bin/env python3
"""End-to-end tests of `cpa registry publish` and `cpa registry list`.

Creates a data directory by starting `cpa serve --listen 127.0.0.1:0` once (and again, to hold
the directory's lock, for the locked-directory case), then publishes Helm chart directories,
PackageBundle files and OCI image layouts into it while no server runs. OCI layouts are written
by the test itself and copied by skopeo into the layout skopeo writes; finally skopeo pulls a
published image back from `cpa serve` (tests/support/with-private-hosts resolves the registry
host to 127.0.0.1).

Usage: registry_cli_test.py PATH_TO_CPA
"""
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import unittest

CPA = None
REGION = "us-west-2"
PACKAGES_ACCOUNT = "346438352937"  # the packages account of us-west-2


def run(*args):
    return subprocess.run([CPA, *args], capture_output=True, text=True, timeout=120)


def fields(stdout):
    """The `key: value` lines publish prints."""
    return dict(line.split(": ", 1) for line in stdout.splitlines() if ": " in line)


def list_rows(data, *args):
    r = run("registry", "list", "--data", data, *args)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["ACCOUNT", "REGION", "REPOSITORY", "TAG", "DIGEST"], lines
    return [tuple(line.split()) for line in lines[1:]]


class Server:
    """`cpa serve` on a loopback port; stopped (SIGTERM) by stop() or on exit of a with-block."""

    def __init__(self, data):
        self.log = open(data + ".log", "ab")
        self.proc = subprocess.Popen(
            [CPA, "serve", "--listen", "127.0.0.1:0", "--data", data, "--workers", "1"],
            stdout=subprocess.PIPE, stderr=self.log, start_new_session=True)
        line = self.proc.stdout.readline().decode()
        if not re.match(r"cpa serve: listening on http://127\.0\.0\.1:\d+, data ", line):
            self.stop()
            raise RuntimeError("no ready line from cpa serve: %r" % line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_chart(root, name="demo", version="0.2.0", extra="", api="v2"):
    write(os.path.join(root, "Chart.yaml"),
          f"apiVersion: {api}\nname: {name}\ndescription: A demo chart\nversion: {version}\n"
          f"appVersion: \"2.0\"\n{extra}")
    write(os.path.join(root, "values.yaml"), "replicaCount: 1\n")
    write(os.path.join(root, "templates", "deployment.yaml"), "kind: Deployment\n")
    write(os.path.join(root, "templates", ".notes"), "ignored by default\n")
    write(os.path.join(root, "scratch.tmp"), "ignored by .helmignore\n")
    write(os.path.join(root, ".helmignore"), "# comment\n*.tmp\n")
    return root


BUNDLE = """apiVersion: packages.eks.amazonaws.com/v1alpha1
kind: PackageBundle
metadata:
  name: v1-36-1001
  namespace: eksa-packages
spec:
  packages:
  - name: demo
    source:
      registry: 346438352937.dkr.ecr.us-west-2.localhost
      repository: demo
      versions:
      - name: 0.2.0
"""


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """Writes an OCI image layout: a two-platform index, one gzip'd layer per platform."""

    def __init__(self, root, layer_size=1024):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"))
        write(os.path.join(root, "oci-layout"), '{"imageLayoutVersion": "1.0.0"}')
        self.entries = []
        manifests = []
        self.layer_digests = []
        for arch in ("amd64", "arm64"):
            layer = self.layer(arch, layer_size)
            self.layer_digests.append(sha256(layer))
            config = json.dumps({"architecture": arch, "os": "linux", "rootfs": {
                "type": "layers", "diff_ids": [sha256(gzip.decompress(layer))]}}).encode()
            manifest = json.dumps({
                "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": self.blob(config, "application/vnd.oci.image.config.v1+json"),
                "layers": [self.blob(layer, "application/vnd.oci.image.layer.v1.tar+gzip")]
            }).encode()
            d = self.blob(manifest, "application/vnd.oci.image.manifest.v1+json")
            d["platform"] = {"architecture": arch, "os": "linux"}
            manifests.append(d)
        index = json.dumps({"schemaVersion": 2,
                            "mediaType": "application/vnd.oci.image.index.v1+json",
                            "manifests": manifests}).encode()
        self.index = self.blob(index, "application/vnd.oci.image.index.v1+json")

    def layer(self, arch, size):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            payload = (arch.encode() * (size // len(arch) + 1))[:size]
            # Incompressible content, so that the gzip'd layer keeps its size.
            payload = hashlib.shake_256(payload).digest(size)
            info = tarfile.TarInfo("data/" + arch)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        return gzip.compress(buf.getvalue(), mtime=0)

    def blob(self, data, media_type):
        digest = sha256(data)
        with open(os.path.join(self.root, "blobs", "sha256", digest[7:]), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def name(self, ref):
        entry = dict(self.index)
        entry["annotations"] = {"org.opencontainers.image.ref.name": ref}
        self.entries.append(entry)
        write(os.path.join(self.root, "index.json"),
              json.dumps({"schemaVersion": 2, "manifests": self.entries}))
        return self

    def blob_path(self, digest):
        return os.path.join(self.root, "blobs", "sha256", digest[7:])


class RegistryCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="cpa-registry-cli-")
        cls.data = os.path.join(cls.work, "data")
        Server(cls.data).stop()  # creates the data directory, accounts and registry
        assert os.path.exists(os.path.join(cls.data, "cpa.db"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def publish(self, *args, region=REGION):
        return run("registry", "publish", "--data", self.data, "--region", region, *args)

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def test_help_is_specific(self):
        r = run("registry", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("publish", r.stdout)
        self.assertIn("list", r.stdout)
        r = run("registry", "publish", "--help")
        self.assertEqual(r.returncode, 0)
        for option in ("--data", "--region", "--account", "--chart", "--bundle", "--oci-layout",
                       "--repository", "--tag"):
            self.assertIn(option, r.stdout)
        self.assertIn("server stopped", r.stdout)
        r = run("registry")
        self.assertNotEqual(r.returncode, 0)

    def test_chart_is_published_under_its_version(self):
        chart = make_chart(self.path("charts", "demo"))
        r = self.publish("--chart", chart)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = fields(r.stdout)
        self.assertEqual(out["account"], PACKAGES_ACCOUNT)
        self.assertEqual(out["region"], REGION)
        self.assertEqual(out["repository"], "demo")
        self.assertEqual(out["tag"], "0.2.0")
        self.assertRegex(out["digest"], r"^sha256:[0-9a-f]{64}$")
        self.assertIn((PACKAGES_ACCOUNT, REGION, "demo", "0.2.0", out["digest"]),
                      list_rows(self.data, "--region", REGION))

        # Deterministic: the same directory gives the same digest, in another repository too.
        again = self.publish("--chart", chart, "--repository", "team/charts/demo")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(fields(again.stdout)["digest"], out["digest"])
        self.assertEqual(fields(again.stdout)["repository"], "team/charts/demo")

        # '+' in a version becomes '_' in the tag, as helm pushes it.
        plus = make_chart(self.path("charts", "plus"), name="plus", version="1.0.0+build.7")
        r = self.publish("--chart", plus)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(fields(r.stdout)["tag"], "1.0.0_build.7")

        # Ignored files are not in the package: changing them keeps the digest.
        write(os.path.join(chart, "scratch.tmp"), "changed\n")
        write(os.path.join(chart, "templates", ".notes"), "changed\n")
        r = self.publish("--chart", chart)
        self.assertEqual(fields(r.stdout)["digest"], out["digest"])
        write(os.path.join(chart, "README.md"), "now part of the chart\n")
        r = self.publish("--chart", chart, "--repository", "demo-readme")
        self.assertNotEqual(fields(r.stdout)["digest"], out["digest"])

    def test_bad_charts_are_refused_with_the_reason(self):
        missing = self.path("bad", "no-chart-yaml")
        write(os.path.join(missing, "values.yaml"), "a: 1\n")
        cases = [
            (missing, "Chart.yaml file is missing"),
            (make_chart(self.path("bad", "version"), version="one"), "not a semantic version"),
            (make_chart(self.path("bad", "type"), extra="type: plugin\n"),
             "type must be application or library"),
            (make_chart(self.path("bad", "api"), api="v3"), "not v1 or v2"),
            (make_chart(self.path("bad", "twice"), extra="name: other\n"),
             "key 'name' appears twice"),
            (self.path("bad", "does-not-exist"), "is not a directory"),
        ]
        yaml_error = make_chart(self.path("bad", "yaml"))
        write(os.path.join(yaml_error, "Chart.yaml"), "name: [unclosed\n")
        cases.append((yaml_error, "Chart.yaml"))
        star = make_chart(self.path("bad", "star"))
        write(os.path.join(star, ".helmignore"), "templates/**\n")
        cases.append((star, "double-star"))
        before = list_rows(self.data)
        for chart, message in cases:
            with self.subTest(chart=chart):
                r = self.publish("--chart", chart)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertTrue(r.stderr.startswith("cpa registry publish: "), r.stderr)
                self.assertIn(message, r.stderr)
                self.assertEqual(r.stdout, "")
        self.assertEqual(list_rows(self.data), before)

    def test_bundle(self):
        path = self.path("bundle.yaml")
        write(path, BUNDLE)
        r = self.publish("--bundle", path, "--tag", "v1-36-latest")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = fields(r.stdout)
        self.assertEqual(out["repository"], "eks-anywhere-packages-bundles")
        self.assertEqual(out["tag"], "v1-36-latest")
        self.assertIn((PACKAGES_ACCOUNT, REGION, "eks-anywhere-packages-bundles", "v1-36-latest",
                       out["digest"]), list_rows(self.data))

        # Into a customer account, another region.
        r = self.publish("--bundle", path, "--tag", "mine", "--account", "111111111111",
                         "--repository", "bundles", region="eu-west-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(fields(r.stdout)["digest"], out["digest"])
        self.assertEqual(list_rows(self.data, "--account", "111111111111"),
                         [("111111111111", "eu-west-1", "bundles", "mine", out["digest"])])

        bad = self.path("bad-bundle.yaml")
        write(bad, BUNDLE.replace("kind: PackageBundle", "kind: Package"))
        r = self.publish("--bundle", bad, "--tag", "x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("kind must be PackageBundle", r.stderr)

    def test_oci_layout(self):
        # 9 MiB layers go through an upload in chunks; the index and both platforms arrive.
        layout = Layout(self.path("layout"), layer_size=9 << 20).name("v1")
        r = self.publish("--oci-layout", layout.root, "--repository", "apps/demo", "--tag", "v1")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = fields(r.stdout)
        self.assertEqual(out["digest"], layout.index["digest"])
        self.assertIn((PACKAGES_ACCOUNT, REGION, "apps/demo", "v1", layout.index["digest"]),
                      list_rows(self.data))

        # Another tag for the same image: nothing else changes.
        r = self.publish("--oci-layout", layout.root, "--repository", "apps/demo", "--tag", "v1.0")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [row for row in list_rows(self.data) if row[2] == "apps/demo"]
        self.assertEqual(sorted(row[3] for row in rows), ["v1", "v1.0"])

        # Two named images: the tag chooses; an unknown one is refused with the names.
        small = Layout(self.path("two")).name("a").name("b")
        r = self.publish("--oci-layout", small.root, "--repository", "apps/two", "--tag", "c")
        self.assertEqual(r.returncode, 1)
        self.assertIn("has no image named 'c' (it has: a, b)", r.stderr)

        # Written by skopeo (scripts/bootstrap installs it).
        copied = self.path("skopeo-layout")
        s = subprocess.run(["skopeo", "--insecure-policy", "copy", "--all",
                            "oci:" + small.root + ":a", "oci:" + copied + ":v2"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(s.returncode, 0, s.stderr)
        r = self.publish("--oci-layout", copied, "--repository", "apps/skopeo", "--tag", "v2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(fields(r.stdout)["digest"], small.index["digest"])

    def test_corrupt_layouts_change_nothing(self):
        before = list_rows(self.data)
        corrupt = Layout(self.path("corrupt")).name("v1")
        layer = corrupt.layer_digests[1]
        with open(corrupt.blob_path(layer), "r+b") as f:
            f.write(b"X")
        r = self.publish("--oci-layout", corrupt.root, "--repository", "apps/bad", "--tag", "v1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("blob " + layer + " does not match its digest", r.stderr)

        missing = Layout(self.path("missing")).name("v1")
        os.remove(missing.blob_path(missing.layer_digests[0]))
        r = self.publish("--oci-layout", missing.root, "--repository", "apps/bad", "--tag", "v1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("is missing", r.stderr)

        r = self.publish("--oci-layout", self.path("charts"), "--repository", "apps/bad",
                         "--tag", "v1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not an OCI image layout", r.stderr)
        self.assertEqual(list_rows(self.data), before)

    def test_arguments_are_checked(self):
        path = self.path("args-bundle.yaml")
        write(path, BUNDLE)
        cases = [
            (["--bundle", path], "--bundle needs --tag"),
            (["--chart", "x", "--bundle", path, "--tag", "t"], "exactly one of"),
            ([], "exactly one of"),
            (["--oci-layout", "x", "--tag", "t"], "--oci-layout needs --repository"),
            (["--bundle", path, "--tag", "bad tag"], "tag"),
            (["--bundle", path, "--tag", "t", "--account", "000000000000"], "000000000000"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                r = self.publish(*args)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertIn(message, r.stderr)
        r = self.publish("--bundle", path, "--tag", "t", region="xx-nowhere-1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no packages account for region 'xx-nowhere-1'", r.stderr)
        r = self.publish("--bundle", path, "--tag", "t", "--account", PACKAGES_ACCOUNT,
                         region="eu-west-1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("packages account of us-west-2", r.stderr)

    def test_not_a_data_directory(self):
        nowhere = self.path("not-data")
        for args in (["list", "--data", nowhere],
                     ["publish", "--data", nowhere, "--region", REGION, "--bundle", "x",
                      "--tag", "t"]):
            r = run("registry", *args)
            self.assertEqual(r.returncode, 1)
            self.assertIn("is not a cpa data directory", r.stderr)
        self.assertFalse(os.path.exists(nowhere), "a missing data directory is not created")


class LockedDataDirectory(unittest.TestCase):
    def test_a_running_server_is_reported(self):
        work = tempfile.mkdtemp(prefix="cpa-registry-lock-")
        try:
            data = os.path.join(work, "data")
            chart = make_chart(os.path.join(work, "chart"))
            with Server(data):
                for args in (["publish", "--data", data, "--region", REGION, "--chart", chart],
                             ["list", "--data", data]):
                    r = run("registry", *args)
                    self.assertEqual(r.returncode, 1, r.stdout)
                    self.assertIn("is in use by another cpa process", r.stderr)
                    self.assertIn("stop the server first", r.stderr)
            # Stopped: the same publish goes through, and was not half-done before.
            self.assertEqual([row for row in list_rows(data) if row[2] == "demo"], [])
            r = run("registry", "publish", "--data", data, "--region", REGION, "--chart", chart)
            self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            shutil.rmtree(work, ignore_errors=True)


PULL_SCRIPT = r"""
set -eu
"$CPA" serve --listen 127.0.0.1:0 --data "$DATA" > "$WORK/serve.out" 2> "$WORK/serve.err" &
pid=$!
trap 'kill $pid; wait $pid' EXIT
for _ in $(seq 100); do grep -q listening "$WORK/serve.out" && break; sleep 0.1; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.out" | head -n 1)
password=$(AWS_SHARED_CREDENTIALS_FILE="$DATA/root-credentials" AWS_CONFIG_FILE=/dev/null \
  "$CPA" ecr-login --profile account-111111111111 --region us-west-2 \
  --endpoint-url "http://127.0.0.1:$port")
skopeo --insecure-policy copy --all --src-tls-verify=false --src-creds "AWS:$password" \
  "docker://111111111111.dkr.ecr.us-west-2.localhost:$port/apps/pulled:v1" "oci:$WORK/pulled:v1"
"""


class PublishedContentIsServed(unittest.TestCase):
    """What publish writes, `cpa serve` serves: skopeo pulls a published image back, unchanged."""

    def test_skopeo_pulls_a_published_layout(self):
        support = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support")
        work = tempfile.mkdtemp(prefix="cpa-registry-pull-")
        try:
            data = os.path.join(work, "data")
            Server(data).stop()
            layout = Layout(os.path.join(work, "layout")).name("v1")
            r = run("registry", "publish", "--data", data, "--region", REGION, "--account",
                    "111111111111", "--oci-layout", layout.root, "--repository", "apps/pulled",
                    "--tag", "v1")
            self.assertEqual(r.returncode, 0, r.stderr)
            hosts = os.path.join(work, "hosts")
            write(hosts, "127.0.0.1 localhost 111111111111.dkr.ecr.us-west-2.localhost\n")
            env = dict(os.environ, CPA=CPA, DATA=data, WORK=work)
            p = subprocess.run([os.path.join(support, "with-private-hosts"), hosts, "sh", "-c",
                                PULL_SCRIPT], env=env, capture_output=True, text=True,
                               timeout=120)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            with open(os.path.join(work, "pulled", "index.json")) as f:
                pulled = json.load(f)
            self.assertEqual(pulled["manifests"][0]["digest"], layout.index["digest"])
            for digest in layout.layer_digests:
                with open(os.path.join(work, "pulled", "blobs", "sha256", digest[7:]), "rb") as f:
                    self.assertEqual(sha256(f.read()), digest)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    CPA = sys.argv[1]
    unittest.main(argv=[sys.argv[0], "-v"])
