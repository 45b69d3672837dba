#!/usr/bin/env python3
"""Tests of tests/support/kube_api_server.py over HTTP(S) with urllib: every semantic it claims.

Starts the server (HTTPS, an RBAC map, a seed file, a client CA) and a second one over plain
HTTP, each on a free loopback port, and always stops them.
"""
import base64
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "kube_api_server.py")
ADMIN = "admin-token"
AGENT = "agent-token"
TMP = None
MAIN = None  # {"proc", "info", "context"}
PLAIN = None


def b64(text):
    return base64.b64encode(text.encode()).decode()


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def start_server(*extra):
    ready = os.path.join(TMP, f"ready-{len(os.listdir(TMP))}.json")
    proc = subprocess.Popen([sys.executable, SERVER, "--ready-file", ready, *extra],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while not os.path.exists(ready):
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + proc.stderr.read().decode(errors="replace"))
        if time.time() > deadline:
            proc.kill()
            raise RuntimeError("server did not become ready")
        time.sleep(0.05)
    with open(ready, encoding="utf-8") as f:
        info = json.load(f)
    context = None
    if info["ca_file"]:
        context = ssl.create_default_context(cafile=info["ca_file"])
    return {"proc": proc, "info": info, "context": context}


def stop_server(server):
    if server is None:
        return
    server["proc"].terminate()
    try:
        server["proc"].wait(timeout=10)
    except subprocess.TimeoutExpired:
        server["proc"].kill()
        server["proc"].wait()
    for stream in (server["proc"].stdin, server["proc"].stdout, server["proc"].stderr):
        stream.close()


def setUpModule():
    global TMP, MAIN, PLAIN
    TMP = tempfile.mkdtemp(prefix="kube-api-server-test-")
    # A client CA and a certificate for user "cert-user" (x509 authentication).
    ca_key, ca_crt = os.path.join(TMP, "client-ca.key"), os.path.join(TMP, "client-ca.crt")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", ca_key, "-out", ca_crt, "-days", "1", "-subj", "/CN=client-ca")
    key, csr, crt = (os.path.join(TMP, n) for n in ("client.key", "client.csr", "client.crt"))
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/O=testers/CN=cert-user")
    openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
            "-out", crt, "-days", "1")
    rbac = {
        "tokens": {AGENT: "system:serviceaccount:eksa-packages:cpa-agent",
                   "nobody-token": "nobody"},
        "users": {
            "system:serviceaccount:eksa-packages:cpa-agent": {"rules": [
                {"apiGroups": [""], "verbs": ["get"], "resources": ["secrets"],
                 "namespaces": ["eksa-packages"], "resourceNames": ["aws-secret"]},
                {"apiGroups": [""], "verbs": ["get", "update", "create"],
                 "resources": ["secrets"], "namespaces": ["team-a"],
                 "resourceNames": ["ecr-token"]},
                {"apiGroups": [""], "verbs": ["create"], "resources": ["secrets"],
                 "namespaces": ["team-b"]},
                {"apiGroups": ["apps"], "verbs": ["*"], "resources": ["*"]},
            ]},
            "cert-user": {"rules": [{"verbs": ["get", "list"], "resources": ["configmaps"]}]},
        },
    }
    rbac_file = os.path.join(TMP, "rbac.json")
    with open(rbac_file, "w", encoding="utf-8") as f:
        json.dump(rbac, f)
    seed_file = os.path.join(TMP, "seed.yaml")
    with open(seed_file, "w", encoding="utf-8") as f:
        f.write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: eksa-packages\n---\n"
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws-secret\n"
                "  namespace: eksa-packages\ntype: Opaque\ndata:\n"
                f"  AWS_ACCESS_KEY_ID: ''\n  config: {b64('[default]')}\n---\n"
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ns-secret-map\n"
                "  namespace: eksa-packages-mgmt\ndata:\n"
                "  eksa-packages-mgmt: eksa-package-controller\n"
                "  emissary-system: eksa-package-placeholder\n")
    MAIN = start_server("--token", ADMIN, "--rbac", rbac_file, "--seed", seed_file,
                        "--namespace", "team-a", "--namespace", "team-b", "--client-ca",
                        ca_crt)
    PLAIN = start_server("--http")


def tearDownModule():
    stop_server(MAIN)
    stop_server(PLAIN)
    shutil.rmtree(TMP, ignore_errors=True)


def call(method, path, body=None, token=ADMIN, server=None, content_type="application/json",
         raw=None, cert=None):
    """(code, decoded JSON body) of one request."""
    server = server or MAIN
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(server["info"]["url"] + path, data=data, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", content_type)
    context = server["context"]
    if cert and context:
        context = ssl.create_default_context(cafile=server["info"]["ca_file"])
        context.load_cert_chain(*cert)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def secret(name, data=None, **extra):
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}}
    if data is not None:
        obj["data"] = {k: b64(v) for k, v in data.items()}
    obj.update(extra)
    return obj


def test_control(method, path, body=None, server=None):
    return call(method, path, body, token=None, server=server)


class StatusShape(unittest.TestCase):
    def assertStatus(self, result, code, reason, message=None, details=None):
        got_code, body = result
        self.assertEqual(got_code, code, body)
        self.assertEqual(body["kind"], "Status")
        self.assertEqual(body["apiVersion"], "v1")
        self.assertEqual(body["status"], "Failure")
        self.assertEqual(body["code"], code)
        self.assertEqual(body.get("reason"), reason)
        self.assertEqual(body["metadata"], {})
        if message is not None:
            self.assertEqual(body["message"], message)
        if details is not None:
            self.assertEqual(body.get("details"), details)
        return body


class Authentication(StatusShape):
    def test_no_token_is_401(self):
        self.assertStatus(call("GET", "/api/v1/namespaces/default/secrets/x", token=None), 401,
                          "Unauthorized", "Unauthorized")

    def test_unknown_token_is_401(self):
        self.assertStatus(call("GET", "/api/v1/namespaces/default/secrets/x", token="nope"),
                          401, "Unauthorized", "Unauthorized")

    def test_non_bearer_scheme_is_401(self):
        request = urllib.request.Request(MAIN["info"]["url"] + "/api/v1/namespaces")
        request.add_header("Authorization", "Basic " + b64("a:b"))
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(request, context=MAIN["context"], timeout=10)
        self.assertEqual(e.exception.code, 401)

    def test_client_certificate_authenticates_its_common_name(self):
        cert = (os.path.join(TMP, "client.crt"), os.path.join(TMP, "client.key"))
        code, body = call("GET", "/api/v1/namespaces/eksa-packages-mgmt/configmaps/ns-secret-map",
                          token=None, cert=cert)
        self.assertEqual(code, 200, body)
        self.assertStatus(call("GET", "/api/v1/namespaces/eksa-packages/secrets/aws-secret",
                               token=None, cert=cert), 403, "Forbidden")
        log = test_control("GET", "/_test/requests")[1]
        self.assertEqual(log[-1]["user"], "cert-user")

    def test_tls_uses_the_generated_certificate(self):
        untrusted = ssl.create_default_context()
        with self.assertRaises(urllib.error.URLError) as e:
            urllib.request.urlopen(MAIN["info"]["url"] + "/api", context=untrusted, timeout=10)
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(e.exception.reason))


class Authorization(StatusShape):
    SA = "system:serviceaccount:eksa-packages:cpa-agent"

    def test_resource_name_rule_allows_get_of_that_name(self):
        code, body = call("GET", "/api/v1/namespaces/eksa-packages/secrets/aws-secret",
                          token=AGENT)
        self.assertEqual(code, 200, body)

    def test_other_name_is_forbidden_with_the_apis_message(self):
        self.assertStatus(
            call("GET", "/api/v1/namespaces/eksa-packages/secrets/other", token=AGENT), 403,
            "Forbidden",
            f'secrets "other" is forbidden: User "{self.SA}" cannot get resource "secrets" in '
            'API group "" in the namespace "eksa-packages"',
            {"name": "other", "kind": "secrets"})

    def test_list_is_forbidden_without_name(self):
        self.assertStatus(
            call("GET", "/api/v1/namespaces/eksa-packages/secrets", token=AGENT), 403,
            "Forbidden",
            f'secrets is forbidden: User "{self.SA}" cannot list resource "secrets" in API '
            'group "" in the namespace "eksa-packages"', {"kind": "secrets"})

    def test_cluster_scope_message(self):
        body = self.assertStatus(call("GET", "/api/v1/secrets", token=AGENT), 403, "Forbidden")
        self.assertIn("at the cluster scope", body["message"])

    def test_resource_names_never_allow_create(self):
        # team-a's rule names ecr-token and includes create: a POST has no name, so it fails.
        self.assertStatus(call("POST", "/api/v1/namespaces/team-a/secrets",
                               secret("ecr-token", {"a": "b"}), token=AGENT), 403, "Forbidden")
        code, body = call("POST", "/api/v1/namespaces/team-b/secrets",
                          secret("ecr-token", {"a": "b"}), token=AGENT)
        self.assertEqual(code, 201, body)

    def test_update_with_resource_name(self):
        call("POST", "/api/v1/namespaces/team-a/secrets", secret("ecr-token", {"a": "b"}))
        code, body = call("GET", "/api/v1/namespaces/team-a/secrets/ecr-token", token=AGENT)
        self.assertEqual(code, 200)
        body["data"]["a"] = b64("c")
        code, body = call("PUT", "/api/v1/namespaces/team-a/secrets/ecr-token", body,
                          token=AGENT)
        self.assertEqual(code, 200, body)
        self.assertStatus(call("DELETE", "/api/v1/namespaces/team-a/secrets/ecr-token",
                               token=AGENT), 403, "Forbidden")

    def test_rules_of_other_api_groups_do_not_apply(self):
        self.assertStatus(call("GET", "/api/v1/namespaces/team-b/configmaps/x", token=AGENT),
                          403, "Forbidden")

    def test_user_without_rules_is_denied_everything(self):
        self.assertStatus(call("GET", "/api/v1/namespaces", token="nobody-token"), 403,
                          "Forbidden")

    def test_forbidden_comes_before_not_found(self):
        self.assertStatus(call("GET", "/api/v1/namespaces/nowhere/secrets/aws-secret",
                               token="nobody-token"), 403, "Forbidden")


class Secrets(StatusShape):
    NS = "/api/v1/namespaces/default/secrets"

    def create(self, obj):
        code, body = call("POST", self.NS, obj)
        self.assertEqual(code, 201, body)
        return body

    def test_create_sets_server_fields(self):
        body = self.create(secret("s-create", {"k": "v"}))
        meta = body["metadata"]
        self.assertEqual(body["kind"], "Secret")
        self.assertEqual(body["apiVersion"], "v1")
        self.assertEqual(meta["namespace"], "default")
        self.assertRegex(meta["uid"], r"^[0-9a-f-]{36}$")
        self.assertRegex(meta["creationTimestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertTrue(meta["resourceVersion"].isdigit())
        self.assertEqual(body["type"], "Opaque")
        code, got = call("GET", self.NS + "/s-create")
        self.assertEqual((code, got), (200, body))

    def test_resource_versions_increase(self):
        a = self.create(secret("s-rv-a", {"k": "v"}))
        b = self.create(secret("s-rv-b", {"k": "v"}))
        self.assertGreater(int(b["metadata"]["resourceVersion"]),
                           int(a["metadata"]["resourceVersion"]))

    def test_already_exists(self):
        self.create(secret("s-dup", {"k": "v"}))
        self.assertStatus(call("POST", self.NS, secret("s-dup", {"k": "v"})), 409,
                          "AlreadyExists", 'secrets "s-dup" already exists',
                          {"name": "s-dup", "kind": "secrets"})

    def test_not_found(self):
        self.assertStatus(call("GET", self.NS + "/missing"), 404, "NotFound",
                          'secrets "missing" not found', {"name": "missing", "kind": "secrets"})

    def test_get_in_unknown_namespace_is_object_not_found(self):
        self.assertStatus(call("GET", "/api/v1/namespaces/nowhere/secrets/x"), 404, "NotFound",
                          'secrets "x" not found')

    def test_create_in_unknown_namespace(self):
        self.assertStatus(call("POST", "/api/v1/namespaces/nowhere/secrets", secret("x", {})),
                          404, "NotFound", 'namespaces "nowhere" not found',
                          {"name": "nowhere", "kind": "namespaces"})

    def test_invalid_base64_is_bad_request(self):
        obj = secret("s-b64")
        obj["data"] = {"user": "admin"}
        self.assertStatus(call("POST", self.NS, obj), 400, "BadRequest",
                          'Secret in version "v1" cannot be handled as a Secret: illegal base64 '
                          "data at input byte 4")

    def test_base64_with_line_breaks_is_accepted(self):
        obj = secret("s-b64-lines")
        obj["data"] = {"k": "YWJj\nZGVm"}
        body = self.create(obj)
        self.assertEqual(body["data"]["k"], b64("abcdef"))

    def test_string_data_is_merged_and_not_stored(self):
        obj = secret("s-string-data", {"a": "1", "b": "2"})
        obj["stringData"] = {"b": "two", "c": "three"}
        body = self.create(obj)
        self.assertNotIn("stringData", body)
        self.assertEqual(body["data"], {"a": b64("1"), "b": b64("two"), "c": b64("three")})

    def test_resource_version_on_create_is_500(self):
        obj = secret("s-rv-create", {"k": "v"})
        obj["metadata"]["resourceVersion"] = "5"
        code, body = call("POST", self.NS, obj)
        self.assertEqual(code, 500)
        self.assertEqual(body["message"], "resourceVersion should not be set on objects to be "
                                          "created")
        self.assertNotIn("reason", body)

    def test_namespace_mismatch(self):
        obj = secret("s-ns", {"k": "v"})
        obj["metadata"]["namespace"] = "kube-system"
        self.assertStatus(call("POST", self.NS, obj), 400, "BadRequest",
                          "the namespace of the provided object does not match the namespace "
                          "sent on the request")

    def test_names_are_validated(self):
        body = self.assertStatus(call("POST", self.NS, secret("Bad_Name", {})), 422, "Invalid")
        self.assertTrue(body["message"].startswith('Secret "Bad_Name" is invalid: metadata.name: '
                                                   'Invalid value: "Bad_Name": a lowercase RFC '
                                                   "1123 subdomain"))
        self.assertEqual(body["details"]["causes"][0]["field"], "metadata.name")
        self.assertStatus(call("POST", self.NS, secret("", {})), 422, "Invalid",
                          'Secret "" is invalid: metadata.name: Required value: name or '
                          "generateName is required")

    def test_generate_name(self):
        obj = secret("")
        obj["metadata"] = {"generateName": "gen-"}
        body = self.create(obj)
        self.assertRegex(body["metadata"]["name"], r"^gen-[a-z0-9]{5}$")

    def test_data_keys_are_validated(self):
        body = self.assertStatus(call("POST", self.NS, secret("s-key", {"bad key": "v"})), 422,
                                 "Invalid")
        self.assertIn("data[bad key]: Invalid value: \"bad key\": a valid config key",
                      body["message"])

    def test_dockerconfigjson_needs_its_key_and_json(self):
        obj = secret("s-dcj", {"other": "x"}, type="kubernetes.io/dockerconfigjson")
        self.assertStatus(call("POST", self.NS, obj), 422, "Invalid",
                          'Secret "s-dcj" is invalid: data[.dockerconfigjson]: Required value')
        obj = secret("s-dcj", {".dockerconfigjson": "{not json"},
                     type="kubernetes.io/dockerconfigjson")
        body = self.assertStatus(call("POST", self.NS, obj), 422, "Invalid")
        self.assertIn("<secret contents redacted>", body["message"])
        self.assertNotIn("not json", body["message"])
        obj = secret("s-dcj", {".dockerconfigjson": '{"auths":{}}'},
                     type="kubernetes.io/dockerconfigjson")
        self.assertEqual(self.create(obj)["type"], "kubernetes.io/dockerconfigjson")

    def test_size_limit(self):
        body = self.assertStatus(call("POST", self.NS, secret("s-big", {"k": "x" * (1 << 20)})),
                                 422, "Invalid")
        self.assertIn("Too long: must have at most 1048576 bytes", body["message"])

    def test_replace_with_current_resource_version(self):
        body = self.create(secret("s-put", {"k": "v"}))
        rv = body["metadata"]["resourceVersion"]
        body["data"]["k"] = b64("w")
        code, updated = call("PUT", self.NS + "/s-put", body)
        self.assertEqual(code, 200, updated)
        self.assertGreater(int(updated["metadata"]["resourceVersion"]), int(rv))
        self.assertEqual(updated["metadata"]["uid"], body["metadata"]["uid"])
        self.assertEqual(updated["metadata"]["creationTimestamp"],
                         body["metadata"]["creationTimestamp"])
        self.assertEqual(updated["data"]["k"], b64("w"))

    def test_stale_resource_version_is_conflict(self):
        body = self.create(secret("s-stale", {"k": "v"}))
        fresh = dict(body, data={"k": b64("w")})
        self.assertEqual(call("PUT", self.NS + "/s-stale", fresh)[0], 200)
        self.assertStatus(call("PUT", self.NS + "/s-stale", dict(body, data={"k": b64("x")})),
                          409, "Conflict",
                          'Operation cannot be fulfilled on secrets "s-stale": the object has been '
                          "modified; please apply your changes to the latest version and try "
                          "again", {"name": "s-stale", "kind": "secrets"})

    def test_replace_without_resource_version_is_unconditional(self):
        self.create(secret("s-uncond", {"k": "v"}))
        code, body = call("PUT", self.NS + "/s-uncond", secret("s-uncond", {"k": "new"}))
        self.assertEqual(code, 200, body)
        self.assertEqual(body["data"], {"k": b64("new")})

    def test_noop_replace_keeps_resource_version(self):
        body = self.create(secret("s-noop", {"k": "v"}))
        code, again = call("PUT", self.NS + "/s-noop", body)
        self.assertEqual(code, 200)
        self.assertEqual(again["metadata"]["resourceVersion"], body["metadata"]["resourceVersion"])

    def test_type_is_immutable(self):
        body = self.create(secret("s-type", {".dockerconfigjson": "{}"}))
        body["type"] = "kubernetes.io/dockerconfigjson"
        self.assertStatus(call("PUT", self.NS + "/s-type", body), 422, "Invalid",
                          'Secret "s-type" is invalid: type: Invalid value: '
                          '"kubernetes.io/dockerconfigjson": field is immutable')
        body.pop("type")  # defaults to Opaque again: unchanged
        self.assertEqual(call("PUT", self.NS + "/s-type", body)[0], 200)

    def test_immutable_secret(self):
        obj = secret("s-immutable", {"k": "v"})
        obj["immutable"] = True
        body = self.create(obj)
        body["data"]["k"] = b64("w")
        self.assertStatus(call("PUT", self.NS + "/s-immutable", body), 422, "Invalid",
                          'Secret "s-immutable" is invalid: data: Forbidden: field is immutable '
                          "when `immutable` is set")

    def test_replace_name_mismatch(self):
        self.create(secret("s-name", {"k": "v"}))
        self.assertStatus(call("PUT", self.NS + "/s-name", secret("other", {})), 400,
                          "BadRequest",
                          "the name of the object (other) does not match the name on the URL "
                          "(s-name)")

    def test_replace_missing_is_not_found(self):
        self.assertStatus(call("PUT", self.NS + "/s-nothing", secret("s-nothing", {})), 404,
                          "NotFound", 'secrets "s-nothing" not found')

    def test_replace_uid_precondition(self):
        body = self.create(secret("s-uid", {"k": "v"}))
        body["metadata"]["uid"] = "00000000-0000-0000-0000-000000000000"
        body = self.assertStatus(call("PUT", self.NS + "/s-uid", body), 409, "Conflict")
        self.assertTrue(body["message"].startswith("Precondition failed: UID in precondition"))

    def test_unknown_fields_survive_replace(self):
        obj = secret("s-fields", {"k": "v"})
        obj["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap",
                                               "name": "o", "uid": "u"}]
        body = self.create(obj)
        body["data"]["k"] = b64("w")
        code, updated = call("PUT", self.NS + "/s-fields", body)
        self.assertEqual(code, 200)
        self.assertEqual(updated["metadata"]["ownerReferences"][0]["name"], "o")

    def test_delete(self):
        body = self.create(secret("s-del", {"k": "v"}))
        self.assertStatus(call("DELETE", self.NS + "/s-del",
                               {"preconditions": {"resourceVersion": "1"}}), 409, "Conflict")
        code, status = call("DELETE", self.NS + "/s-del")
        self.assertEqual(code, 200)
        self.assertEqual(status, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                  "status": "Success",
                                  "details": {"name": "s-del", "kind": "secrets",
                                              "uid": body["metadata"]["uid"]}})
        self.assertStatus(call("DELETE", self.NS + "/s-del"), 404, "NotFound")

    def test_list(self):
        self.create(secret("s-list-a", {"k": "v"}, ))
        obj = secret("s-list-b", {"k": "v"})
        obj["metadata"]["labels"] = {"app": "cpa"}
        self.create(obj)
        code, body = call("GET", self.NS)
        self.assertEqual(code, 200)
        self.assertEqual(body["kind"], "SecretList")
        self.assertTrue(body["metadata"]["resourceVersion"].isdigit())
        names = [i["metadata"]["name"] for i in body["items"]]
        self.assertIn("s-list-a", names)
        self.assertEqual(names, sorted(names))
        self.assertNotIn("kind", body["items"][0])
        code, body = call("GET", self.NS + "?labelSelector=app%3Dcpa")
        self.assertEqual([i["metadata"]["name"] for i in body["items"]], ["s-list-b"])
        code, body = call("GET", self.NS + "?fieldSelector=metadata.name%3Ds-list-a")
        self.assertEqual([i["metadata"]["name"] for i in body["items"]], ["s-list-a"])
        code, body = call("GET", "/api/v1/secrets")
        spaces = {i["metadata"]["namespace"] for i in body["items"]}
        self.assertIn("eksa-packages", spaces)
        code, body = call("GET", "/api/v1/namespaces/nowhere/secrets")
        self.assertEqual((code, body["items"]), (200, []))

    def test_unsupported_media_type(self):
        self.assertStatus(call("POST", self.NS, raw=b"x", content_type="text/plain"), 415,
                          "UnsupportedMediaType")

    def test_malformed_json(self):
        self.assertStatus(call("POST", self.NS, raw=b"{"), 400, "BadRequest")

    def test_wrong_kind(self):
        self.assertStatus(call("POST", self.NS, {"kind": "ConfigMap", "metadata": {"name": "x"}}),
                          400, "BadRequest")

    def test_unknown_paths_and_methods(self):
        self.assertStatus(call("GET", "/api/v1/namespaces/default/pods"), 404, "NotFound",
                          "the server could not find the requested resource")
        self.assertStatus(call("PATCH", self.NS + "/x", {}), 405, "MethodNotAllowed")
        self.assertStatus(call("GET", self.NS + "?watch=true"), 405, "MethodNotAllowed")


class ConfigMaps(StatusShape):
    NS = "/api/v1/namespaces/default/configmaps"

    def test_crud(self):
        obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "cm"},
               "data": {"team-a": "pkg1,pkg2"}, "binaryData": {"bin": b64("\x00\x01")}}
        code, body = call("POST", self.NS, obj)
        self.assertEqual(code, 201, body)
        self.assertEqual(body["binaryData"], {"bin": b64("\x00\x01")})
        body["data"]["team-b"] = "pkg3"
        code, body = call("PUT", self.NS + "/cm", body)
        self.assertEqual((code, sorted(body["data"])), (200, ["team-a", "team-b"]))
        code, listing = call("GET", self.NS)
        self.assertEqual(listing["kind"], "ConfigMapList")
        self.assertEqual(call("DELETE", self.NS + "/cm")[0], 200)

    def test_binary_data_must_be_base64(self):
        obj = {"metadata": {"name": "cm-b64"}, "binaryData": {"k": "not base64!"}}
        self.assertStatus(call("POST", self.NS, obj), 400, "BadRequest")

    def test_duplicate_keys(self):
        obj = {"metadata": {"name": "cm-dup"}, "data": {"k": "v"}, "binaryData": {"k": b64("v")}}
        body = self.assertStatus(call("POST", self.NS, obj), 422, "Invalid")
        self.assertIn("duplicate of key present in binaryData", body["message"])

    def test_seeded_ns_secret_map(self):
        code, body = call("GET", "/api/v1/namespaces/eksa-packages-mgmt/configmaps/ns-secret-map")
        self.assertEqual(code, 200)
        self.assertEqual(sorted(body["data"]), ["eksa-packages-mgmt", "emissary-system"])


class Namespaces(StatusShape):
    def test_defaults_and_seeded(self):
        code, body = call("GET", "/api/v1/namespaces")
        names = {i["metadata"]["name"] for i in body["items"]}
        self.assertTrue({"default", "kube-system", "eksa-packages", "eksa-packages-mgmt",
                         "team-a"} <= names)
        code, ns = call("GET", "/api/v1/namespaces/eksa-packages")
        self.assertEqual(ns["status"]["phase"], "Active")
        self.assertEqual(ns["metadata"]["labels"]["kubernetes.io/metadata.name"], "eksa-packages")

    def test_create_and_delete(self):
        code, body = call("POST", "/api/v1/namespaces",
                          {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp-ns"}})
        self.assertEqual(code, 201, body)
        self.assertStatus(call("POST", "/api/v1/namespaces", {"metadata": {"name": "tmp-ns"}}),
                          409, "AlreadyExists", 'namespaces "tmp-ns" already exists')
        call("POST", "/api/v1/namespaces/tmp-ns/secrets", secret("s", {"k": "v"}))
        code, body = call("DELETE", "/api/v1/namespaces/tmp-ns")
        self.assertEqual((code, body["status"]["phase"]), (200, "Terminating"))
        self.assertStatus(call("GET", "/api/v1/namespaces/tmp-ns/secrets/s"), 404, "NotFound")
        self.assertStatus(call("GET", "/api/v1/namespaces/tmp-ns"), 404, "NotFound")

    def test_invalid_name(self):
        self.assertStatus(call("POST", "/api/v1/namespaces", {"metadata": {"name": "Bad.Name"}}),
                          422, "Invalid")


class Faults(StatusShape):
    NS = "/api/v1/namespaces/default/secrets"

    def tearDown(self):
        test_control("POST", "/_test/faults", {"clear": True})

    def test_next_puts_answer_conflict(self):
        code, body = call("POST", self.NS, secret("f-put", {"k": "v"}))
        test_control("POST", "/_test/faults", {"method": "PUT", "count": 2, "code": 409})
        for _ in range(2):
            self.assertStatus(call("PUT", self.NS + "/f-put", body), 409, "Conflict")
        self.assertEqual(call("GET", self.NS + "/f-put")[0], 200)  # GETs are not affected
        self.assertEqual(call("PUT", self.NS + "/f-put", body)[0], 200)

    def test_all_requests_fail_until_cleared(self):
        test_control("POST", "/_test/faults", {"method": "*", "count": -1, "code": 500})
        for _ in range(3):
            self.assertStatus(call("GET", "/api/v1/namespaces"), 500, "InternalError",
                              "injected fault")
        test_control("POST", "/_test/faults", {"clear": True})
        self.assertEqual(call("GET", "/api/v1/namespaces")[0], 200)

    def test_faults_need_authentication_first(self):
        test_control("POST", "/_test/faults", {"method": "*", "count": 1, "code": 500})
        self.assertStatus(call("GET", "/api/v1/namespaces", token=None), 401, "Unauthorized")

    def test_touch_makes_a_real_conflict(self):
        code, body = call("POST", self.NS, secret("f-touch", {"k": "v"}))
        test_control("POST", "/_test/faults", {"method": "PUT", "path_contains": "f-touch",
                                               "action": "touch"})
        self.assertStatus(call("PUT", self.NS + "/f-touch", body), 409, "Conflict")
        code, fresh = call("GET", self.NS + "/f-touch")
        self.assertNotEqual(fresh["metadata"]["resourceVersion"],
                            body["metadata"]["resourceVersion"])
        self.assertEqual(call("PUT", self.NS + "/f-touch", fresh)[0], 200)

    def test_request_log(self):
        test_control("DELETE", "/_test/requests")
        call("GET", self.NS + "/nothing-here")
        call("GET", self.NS + "/nothing-here", token=None)
        log = test_control("GET", "/_test/requests")[1]
        self.assertEqual(log, [
            {"method": "GET", "path": self.NS + "/nothing-here", "user": "admin", "code": 404},
            {"method": "GET", "path": self.NS + "/nothing-here", "user": None, "code": 401}])

    def test_objects_endpoint_seeds(self):
        code, _ = test_control("POST", "/_test/objects", [
            {"kind": "Namespace", "metadata": {"name": "seeded-later"}},
            secret("x", {"k": "v"}) | {"metadata": {"name": "x", "namespace": "seeded-later"}}])
        self.assertEqual(code, 200)
        self.assertEqual(call("GET", "/api/v1/namespaces/seeded-later/secrets/x")[0], 200)


class Startup(unittest.TestCase):
    def test_ready_file_and_kubeconfig(self):
        info = MAIN["info"]
        self.assertEqual(info["url"], f"https://127.0.0.1:{info['port']}")
        self.assertEqual(info["token"], ADMIN)
        with open(info["kubeconfig"], encoding="utf-8") as f:
            text = f.read()
        self.assertIn(f"server: {info['url']}", text)
        self.assertIn(f"token: {ADMIN}", text)
        with open(info["ca_file"], "rb") as f:
            self.assertIn("certificate-authority-data: " + base64.b64encode(f.read()).decode(),
                          text)
        try:
            import yaml
        except ImportError:
            return
        config = yaml.safe_load(text)
        self.assertEqual(config["current-context"], "kube-test-server")

    def test_seeded_secret(self):
        code, body = call("GET", "/api/v1/namespaces/eksa-packages/secrets/aws-secret")
        self.assertEqual(code, 200)
        self.assertEqual(body["data"]["config"], b64("[default]"))
        self.assertEqual(body["data"]["AWS_ACCESS_KEY_ID"], "")

    def test_plain_http(self):
        self.assertTrue(PLAIN["info"]["url"].startswith("http://127.0.0.1:"))
        self.assertIsNone(PLAIN["info"]["ca_file"])
        code, body = call("GET", "/api/v1/namespaces/default", token="cpa-test-token",
                          server=PLAIN)
        self.assertEqual(code, 200, body)

    def test_exits_when_stdin_closes(self):
        server = start_server("--http", "--exit-on-stdin-eof")
        try:
            server["proc"].stdin.close()
            self.assertEqual(server["proc"].wait(timeout=10), 0)
        finally:
            if server["proc"].poll() is None:
                server["proc"].kill()
                server["proc"].wait()
            server["proc"].stdout.close()
            server["proc"].stderr.close()

    def test_temp_directory_is_removed_on_exit(self):
        server = start_server("--http")
        directory = os.path.dirname(server["info"]["kubeconfig"])
        self.assertTrue(os.path.isdir(directory))
        stop_server(server)
        self.assertFalse(os.path.exists(directory))


if __name__ == "__main__":
    unittest.main(verbosity=1)
