#!/usr/bin/env python3
"""deploy/: the manifests parse, have the shapes docs/deploy.md describes, and the RBAC grants
`cpa agent` exactly what it needs.

The RBAC check is semantic: the Roles, ClusterRoles and bindings of deploy/rbac.yaml are turned
into tests/support/kube_api_server.py's RBAC map for the agent's ServiceAccount, and the agent's
requests (and ones it must not be able to make) are replayed on that server.

Usage: deploy_manifests_test.py PROJECT_ROOT
"""
import base64
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import yaml

ROOT = None
SA_USER = "system:serviceaccount:eksa-packages:cpa-agent"
CLUSTER = "my-cluster"


def load(name):
    with open(os.path.join(ROOT, "deploy", name), encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def rbac_map(docs):
    """The test server's RBAC map for the agent's ServiceAccount, from Kubernetes RBAC objects."""
    roles = {}
    for d in docs:
        if d["kind"] == "Role":
            roles[("Role", d["metadata"]["namespace"], d["metadata"]["name"])] = d["rules"]
        elif d["kind"] == "ClusterRole":
            roles[("ClusterRole", None, d["metadata"]["name"])] = d["rules"]
    rules = []
    for d in docs:
        if d["kind"] not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        subjects = d.get("subjects", [])
        if not any(s.get("kind") == "ServiceAccount" and s.get("name") == "cpa-agent" and
                   s.get("namespace") == "eksa-packages" for s in subjects):
            continue
        ref = d["roleRef"]
        namespace = d["metadata"].get("namespace") if d["kind"] == "RoleBinding" else None
        role_ns = namespace if ref["kind"] == "Role" else None
        for rule in roles[(ref["kind"], role_ns, ref["name"])]:
            converted = dict(rule)
            if namespace is not None:
                converted["namespaces"] = [namespace]
            rules.append(converted)
    return {"tokens": {"agent": SA_USER}, "users": {SA_USER: {"rules": rules}}}


def kubelet_glob_match(pattern, image):
    """The kubelet's matchImages rule: same number of host labels, each matched as a glob
    (a '*' never crosses a '.'), ports equal, the pattern's path a prefix of the image's."""
    def split(text):
        if "://" not in text:
            text = "https://" + text
        rest = text.split("://", 1)[1]
        host, _, path = rest.partition("/")
        host, _, port = host.partition(":")
        return host, port, path
    p_host, p_port, p_path = split(pattern)
    i_host, i_port, i_path = split(image)
    p_labels, i_labels = p_host.split("."), i_host.split(".")
    if len(p_labels) != len(i_labels) or p_port != i_port:
        return False
    for p, i in zip(p_labels, i_labels):
        regex = "^" + re.escape(p).replace("\\*", "[^.]*") + "$"
        if not re.match(regex, i):
            return False
    return i_path.startswith(p_path)


class Parse(unittest.TestCase):
    def test_every_manifest_parses_and_is_named(self):
        files = sorted(f for f in os.listdir(os.path.join(ROOT, "deploy")) if f.endswith(".yaml"))
        self.assertEqual(files, ["credential-provider-config.yaml", "cronjob.yaml",
                                 "deployment.yaml", "kustomization.yaml",
                                 "rbac-cluster-wide.yaml", "rbac.yaml"])
        for name in files:
            docs = load(name)
            self.assertTrue(docs, name)
            for d in docs:
                self.assertIn("apiVersion", d, name)
                self.assertIn("kind", d, name)
                if d["kind"] not in ("CredentialProviderConfig", "Kustomization"):
                    self.assertTrue(d["metadata"]["name"], name)

    def test_kustomization_lists_existing_files(self):
        (k,) = load("kustomization.yaml")
        for resource in k["resources"]:
            self.assertTrue(os.path.isfile(os.path.join(ROOT, "deploy", resource)), resource)

    def test_docs_describe_every_file(self):
        with open(os.path.join(ROOT, "docs", "deploy.md"), encoding="utf-8") as f:
            doc = f.read()
        for name in os.listdir(os.path.join(ROOT, "deploy")):
            self.assertIn(f"deploy/{name}", doc)


class RbacShape(unittest.TestCase):
    def test_least_privilege(self):
        docs = load("rbac.yaml")
        (sa,) = by_kind(docs, "ServiceAccount")
        self.assertEqual((sa["metadata"]["name"], sa["metadata"]["namespace"]),
                         ("cpa-agent", "eksa-packages"))
        for role in by_kind(docs, "Role") + by_kind(docs, "ClusterRole"):
            for rule in role["rules"]:
                self.assertEqual(rule["apiGroups"], [""])
                self.assertNotIn("*", rule["verbs"] + rule["resources"])
                self.assertFalse({"list", "watch", "delete", "patch", "deletecollection"} &
                                 set(rule["verbs"]), rule)
                if "create" in rule["verbs"]:
                    # resourceNames would make the rule match no create at all.
                    self.assertNotIn("resourceNames", rule)
                    self.assertEqual(rule["verbs"], ["create"])
                else:
                    self.assertEqual(len(rule["resourceNames"]), 1, rule)
        (cluster_role,) = by_kind(docs, "ClusterRole")
        for binding in by_kind(docs, "RoleBinding"):
            self.assertIn("namespace", binding["metadata"])
        self.assertEqual(by_kind(docs, "ClusterRoleBinding"), [])
        namespaces = {b["metadata"]["namespace"] for b in by_kind(docs, "RoleBinding")
                      if b["roleRef"]["name"] == cluster_role["metadata"]["name"]}
        self.assertEqual(namespaces, {f"eksa-packages-{CLUSTER}", "emissary-system"})

    def test_cluster_wide_variant_binds_the_same_cluster_role(self):
        (binding,) = load("rbac-cluster-wide.yaml")
        self.assertEqual(binding["kind"], "ClusterRoleBinding")
        self.assertEqual(binding["roleRef"], {"apiGroup": "rbac.authorization.k8s.io",
                                              "kind": "ClusterRole",
                                              "name": "cpa-agent-ecr-token"})


class Workloads(unittest.TestCase):
    def test_deployment(self):
        docs = load("deployment.yaml")
        (deployment,) = by_kind(docs, "Deployment")
        (service,) = by_kind(docs, "Service")
        pod = deployment["spec"]["template"]["spec"]
        self.assertEqual(pod["serviceAccountName"], "cpa-agent")
        self.assertEqual(deployment["metadata"]["namespace"], "eksa-packages")
        (container,) = pod["containers"]
        args = container["args"]
        self.assertEqual(args[0], "agent")
        self.assertNotIn("--once", args)
        self.assertEqual(args[args.index("--cluster") + 1], CLUSTER)
        listen = args[args.index("--listen") + 1]
        port = int(listen.rsplit(":", 1)[1])
        (declared,) = container["ports"]
        self.assertEqual(declared["containerPort"], port)
        for probe in ("livenessProbe", "readinessProbe"):
            self.assertEqual(container[probe]["httpGet"]["path"], "/healthz")
            self.assertEqual(container[probe]["httpGet"]["port"], declared["name"])
        self.assertEqual(service["spec"]["ports"][0]["targetPort"], declared["name"])
        self.assertEqual(service["spec"]["selector"],
                         deployment["spec"]["selector"]["matchLabels"])
        self.assertEqual(deployment["spec"]["selector"]["matchLabels"],
                         deployment["spec"]["template"]["metadata"]["labels"])
        self.assertTrue(container["securityContext"]["readOnlyRootFilesystem"])
        self.assertFalse(container["securityContext"]["allowPrivilegeEscalation"])

    def test_cronjob(self):
        (cronjob,) = load("cronjob.yaml")
        self.assertEqual(cronjob["apiVersion"], "batch/v1")
        self.assertEqual(len(cronjob["spec"]["schedule"].split()), 5)
        pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        self.assertEqual(pod["serviceAccountName"], "cpa-agent")
        self.assertIn(pod["restartPolicy"], ("OnFailure", "Never"))
        args = pod["containers"][0]["args"]
        self.assertEqual(args[0], "agent")
        self.assertIn("--once", args)
        self.assertNotIn("--listen", args)
        self.assertEqual(args[args.index("--cluster") + 1], CLUSTER)


class CredentialProvider(unittest.TestCase):
    def setUp(self):
        (self.config,) = load("credential-provider-config.yaml")

    def test_shape(self):
        self.assertEqual(self.config["apiVersion"], "kubelet.config.k8s.io/v1")
        self.assertEqual(self.config["kind"], "CredentialProviderConfig")
        (provider,) = self.config["providers"]
        self.assertEqual(provider["name"], "cpa")
        self.assertEqual(provider["args"], ["kubelet-credential-provider"])
        self.assertEqual(provider["apiVersion"], "credentialprovider.kubelet.k8s.io/v1")
        self.assertRegex(provider["defaultCacheDuration"], r"^(\d+h)?(\d+m)?(\d+s)?$")
        env = {e["name"]: e["value"] for e in provider["env"]}
        self.assertEqual(set(env), {"AWS_CONFIG_FILE", "AWS_PROFILE"})
        self.assertTrue(env["AWS_CONFIG_FILE"].startswith("/"))

    def test_match_images(self):
        patterns = self.config["providers"][0]["matchImages"]

        def matched(image):
            return any(kubelet_glob_match(p, image) for p in patterns)

        for image in ("783794618700.dkr.ecr.us-west-2.amazonaws.com/eks-anywhere-packages/"
                      "harbor:v2.5.1", "346438352937.dkr.ecr.eu-west-1.amazonaws.com/x",
                      "111111111111.dkr.ecr-fips.us-gov-west-1.amazonaws.com/y",
                      "222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn/z"):
            self.assertTrue(matched(image), image)
        for image in ("public.ecr.aws/eks-anywhere/x", "docker.io/library/nginx",
                      "783794618700.dkr.ecr.us-west-2.amazonaws.com.evil.example/x",
                      "a.b.dkr.ecr.us-west-2.amazonaws.com/x"):
            self.assertFalse(matched(image), image)


class RbacOnTheTestServer(unittest.TestCase):
    """The agent's requests, replayed as its ServiceAccount under deploy/rbac.yaml."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cpa-deploy-test-")
        rbac = os.path.join(cls.tmp, "rbac.json")
        with open(rbac, "w", encoding="utf-8") as f:
            json.dump(rbac_map(load("rbac.yaml")), f)
        seed = os.path.join(cls.tmp, "seed.json")
        config = base64.b64encode(b"[default]\nregion=us-west-2\n").decode()
        with open(seed, "w", encoding="utf-8") as f:
            json.dump([
                {"kind": "Namespace", "metadata": {"name": "team-a"}},
                {"kind": "Secret", "metadata": {"name": "aws-secret", "namespace": "eksa-packages"},
                 "data": {"config": config}},
                {"kind": "Secret", "metadata": {"name": "registry-mirror-secret",
                                                "namespace": "eksa-packages"}},
                {"kind": "ConfigMap", "metadata": {"name": "ns-secret-map",
                                                   "namespace": f"eksa-packages-{CLUSTER}"},
                 "data": {f"eksa-packages-{CLUSTER}": "eksa-package-controller",
                          "emissary-system": "eksa-package-placeholder"}},
                {"kind": "ConfigMap", "metadata": {"name": "other",
                                                   "namespace": f"eksa-packages-{CLUSTER}"}},
                {"kind": "Secret", "metadata": {"name": "unrelated",
                                                "namespace": "emissary-system"}},
            ], f)
        ready = os.path.join(cls.tmp, "ready.json")
        cls.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests", "support", "kube_api_server.py"),
             "--ready-file", ready, "--rbac", rbac, "--seed", seed, "--token", "admin",
             "--exit-on-stdin-eof"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        deadline = time.time() + 30
        while not os.path.exists(ready):
            if cls.proc.poll() is not None or time.time() > deadline:
                cls.tearDownClass()
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        with open(ready, encoding="utf-8") as f:
            cls.info = json.load(f)
        cls.context = ssl.create_default_context(cafile=cls.info["ca_file"])

    @classmethod
    def tearDownClass(cls):
        if cls.proc.poll() is None:
            cls.proc.terminate()
            cls.proc.wait(timeout=10)
        cls.proc.stdin.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def call(self, method, path, body=None, token="agent"):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.info["url"] + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def token_secret(self, name="ecr-token"):
        payload = base64.b64encode(b'{"auths":{}}').decode()
        return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
                "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": payload}}

    def test_agent_can_do_its_job(self):
        code, _ = self.call("GET", "/api/v1/namespaces/eksa-packages/secrets/aws-secret")
        self.assertEqual(code, 200)
        code, _ = self.call(
            "GET", f"/api/v1/namespaces/eksa-packages-{CLUSTER}/configmaps/ns-secret-map")
        self.assertEqual(code, 200)
        for ns in (f"eksa-packages-{CLUSTER}", "emissary-system"):
            base = f"/api/v1/namespaces/{ns}/secrets"
            self.assertEqual(self.call("GET", base + "/ecr-token")[0], 404)
            code, created = self.call("POST", base, self.token_secret())
            self.assertEqual(code, 201, created)
            code, got = self.call("GET", base + "/ecr-token")
            self.assertEqual(code, 200)
            got["data"][".dockerconfigjson"] = base64.b64encode(b'{"auths":{"x":{}}}').decode()
            code, updated = self.call("PUT", base + "/ecr-token", got)
            self.assertEqual(code, 200, updated)

    def test_agent_cannot_do_more(self):
        forbidden = [
            ("GET", "/api/v1/namespaces/eksa-packages/secrets/registry-mirror-secret"),
            ("GET", "/api/v1/namespaces/eksa-packages/secrets"),
            ("GET", "/api/v1/secrets"),
            ("GET", f"/api/v1/namespaces/eksa-packages-{CLUSTER}/configmaps/other"),
            ("PUT", f"/api/v1/namespaces/eksa-packages-{CLUSTER}/configmaps/ns-secret-map"),
            ("GET", "/api/v1/namespaces/emissary-system/secrets/unrelated"),
            ("PUT", "/api/v1/namespaces/emissary-system/secrets/unrelated"),
            ("DELETE", "/api/v1/namespaces/emissary-system/secrets/ecr-token"),
            ("GET", "/api/v1/namespaces/team-a/secrets/ecr-token"),  # no RoleBinding there
            ("POST", "/api/v1/namespaces/team-a/secrets"),
            ("POST", "/api/v1/namespaces/eksa-packages/secrets"),
            ("GET", "/api/v1/namespaces"),
        ]
        for method, path in forbidden:
            body = self.token_secret() if method in ("PUT", "POST") else None
            if body and method == "PUT":
                body["metadata"]["name"] = path.rsplit("/", 1)[1]
            code, status = self.call(method, path, body)
            self.assertEqual(code, 403, f"{method} {path}: {status}")
            self.assertIn(SA_USER, status["message"])

    def test_create_is_not_limited_by_name(self):
        # The documented limit of RBAC: create in a bound namespace allows any name.
        code, _ = self.call("POST", "/api/v1/namespaces/emissary-system/secrets",
                            self.token_secret("not-ecr-token"))
        self.assertEqual(code, 201)
        # ...but the agent cannot read or change what it created under another name.
        code, _ = self.call("GET", "/api/v1/namespaces/emissary-system/secrets/not-ecr-token")
        self.assertEqual(code, 403)

    def test_cluster_wide_variant_reaches_new_namespaces(self):
        docs = load("rbac.yaml") + load("rbac-cluster-wide.yaml")
        rules = rbac_map(docs)["users"][SA_USER]["rules"]
        unrestricted = [r for r in rules if "namespaces" not in r]
        self.assertEqual(len(unrestricted), 2)  # the ClusterRole's two rules, everywhere


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: deploy_manifests_test.py PROJECT_ROOT")
    ROOT = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=1)
