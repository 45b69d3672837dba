#!/usr/bin/env python3
"""A Kubernetes API server for tests: core/v1 Namespaces, Secrets and ConfigMaps.

Python standard library only (PyYAML is used for YAML seed files and request bodies when it is
installed). What it implements and where it differs from a real kube-apiserver is described in
docs/kube-test-server.md. In short:

  /api/v1/namespaces[/{name}]                         GET (get, list), POST, DELETE
  /api/v1/namespaces/{ns}/{secrets|configmaps}        GET (list), POST
  /api/v1/namespaces/{ns}/{secrets|configmaps}/{name} GET, PUT, DELETE
  /api/v1/{secrets|configmaps}                        GET (list in all namespaces)

with bearer-token (or x509 client certificate) authentication, an optional RBAC map,
resourceVersion optimistic concurrency and the API's validation and Status objects.

Test control, without authentication, under /_test/:
  GET  /_test/health                 "ok"
  POST /_test/faults                 add a fault (see Fault below); {"clear": true} removes all
  GET  /_test/requests               the requests served so far (method, path, user, code)
  DELETE /_test/requests             forget them
  POST /_test/objects                store objects as a seed file does (a list or {"items": [...]})
  POST /_test/reset                  no faults, no request log

Usage:
  kube_api_server.py [--port 0] [--http] [--ready-file F] [--kubeconfig F] [--token T]...
                     [--rbac F] [--seed F] [--namespace NS]... [--client-ca F] [--anonymous]
                     [--exit-on-stdin-eof]
Prints "READY <url>" on stdout once it listens; --ready-file gets a JSON object with url, port,
ca_file, kubeconfig, token and pid.
"""
import argparse
import base64
import copy
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

try:
    import yaml  # optional: YAML seed files and application/yaml bodies
except ImportError:  # pragma: no cover - depends on the machine
    yaml = None

MAX_SECRET_BYTES = 1024 * 1024
DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"]
RESOURCES = {
    # resource -> (Kind, list Kind)
    "secrets": ("Secret", "SecretList"),
    "configmaps": ("ConfigMap", "ConfigMapList"),
    "namespaces": ("Namespace", "NamespaceList"),
}
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
BASE64_CHARS = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                 "characters, '-' or '.', and must start and end with an alphanumeric character "
                 "(e.g. 'example.com', regex used for validation is "
                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
             "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
             "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                  "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
                  "is '[-._a-zA-Z0-9]+')")
# Keys a Secret of a built-in type must have (one of them, for basic-auth).
SECRET_TYPE_KEYS = {
    "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
    "kubernetes.io/dockercfg": [".dockercfg"],
    "kubernetes.io/tls": ["tls.crt", "tls.key"],
    "kubernetes.io/ssh-auth": ["ssh-privatekey"],
}


class ApiError(Exception):
    """A failure answered as a Status object."""

    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message}
        if self.reason:
            body["reason"] = self.reason
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def not_found(resource, name):
    return ApiError(404, "NotFound", f'{resource} "{name}" not found',
                    {"name": name, "kind": resource})


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def invalid(kind, name, causes):
    """422 Invalid with causes [(field, cause_reason, text)], shaped like the API's."""
    parts = [f"{field}: {text}" for field, _, text in causes]
    joined = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {joined}', {
        "name": name, "kind": kind,
        "causes": [{"reason": r, "message": t, "field": f} for f, r, t in causes]})


def go_base64_decode(text):
    """Decodes like Go's base64.StdEncoding.DecodeString (CR and LF skipped, padding required,
    trailing bits ignored), raising ValueError("illegal base64 data at input byte N") with the
    offset Go reports."""
    src = text.encode("utf-8", "surrogatepass")
    out = bytearray()
    si = 0
    newline = (10, 13)
    while True:
        quantum = []
        end = False
        while len(quantum) < 4:
            if si == len(src):
                if not quantum:
                    return bytes(out)
                # StdEncoding requires padding: an unfinished quantum is an error.
                raise ValueError(f"illegal base64 data at input byte {si - len(quantum)}")
            c = src[si]
            si += 1
            if c in BASE64_CHARS:
                quantum.append(c)
                continue
            if c in newline:
                continue
            if c != ord("="):
                raise ValueError(f"illegal base64 data at input byte {si - 1}")
            if len(quantum) < 2:
                raise ValueError(f"illegal base64 data at input byte {si - 1}")
            if len(quantum) == 2:  # a second '=' must follow
                while si < len(src) and src[si] in newline:
                    si += 1
                if si == len(src):
                    raise ValueError(f"illegal base64 data at input byte {len(src)}")
                if src[si] != ord("="):
                    raise ValueError(f"illegal base64 data at input byte {si - 1}")
                si += 1
            while si < len(src) and src[si] in newline:
                si += 1
            if si < len(src):
                raise ValueError(f"illegal base64 data at input byte {si}")
            end = True
            break
        chunk = bytes(quantum)
        chunk += b"=" * (4 - len(chunk))
        out += base64.b64decode(chunk)
        if end:
            return bytes(out)


def now_rfc3339():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """Objects and namespaces behind one lock. resourceVersion is one counter for everything, as
    etcd's revision is."""

    def __init__(self, namespaces):
        self.lock = threading.RLock()
        self.revision = 100
        self.namespaces = {}  # name -> Namespace object
        self.objects = {}  # (resource, ns, name) -> object (as stored, with kind/apiVersion)
        for ns in namespaces:
            self.add_namespace(ns)

    def next_rv(self):
        self.revision += 1
        return str(self.revision)

    def add_namespace(self, name, labels=None):
        with self.lock:
            if name in self.namespaces:
                return self.namespaces[name]
            meta = {"name": name, "uid": str(uuid.uuid4()), "resourceVersion": self.next_rv(),
                    "creationTimestamp": now_rfc3339(),
                    "labels": dict(labels or {}, **{"kubernetes.io/metadata.name": name})}
            ns = {"kind": "Namespace", "apiVersion": "v1", "metadata": meta,
                  "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
            self.namespaces[name] = ns
            return ns


class Fault:
    """Answers the next `count` matching requests (count -1: all of them) with `code`/`reason`,
    or, with action "touch", bumps the stored object's resourceVersion before serving the request
    (a concurrent writer), so that a PUT carrying the old resourceVersion meets a real Conflict.
    Matching: method ("*" for any), path_contains (substring of the path)."""

    def __init__(self, spec):
        self.method = spec.get("method", "*").upper()
        self.path_contains = spec.get("path_contains", "")
        self.count = int(spec.get("count", 1))
        self.action = spec.get("action", "respond")
        self.code = int(spec.get("code", 500))
        self.reason = spec.get("reason", {409: "Conflict", 500: "InternalError",
                                           503: "ServiceUnavailable",
                                           429: "TooManyRequests"}.get(self.code, ""))
        self.message = spec.get("message", "injected fault")

    def matches(self, method, path):
        return (self.count != 0 and self.method in ("*", method) and
                self.path_contains in path)


class Authz:
    """Who a request is and what it may do.

    rbac = {"tokens": {TOKEN: USER}, "users": {USER: {"admin": true} |
            {"rules": [{"verbs": [...], "resources": [...], "namespaces": [...]?,
                        "resourceNames": [...]?, "apiGroups": [...]?}]}}}
    Rules follow RBAC: "*" matches any verb or resource; without "namespaces" a rule applies in
    every namespace and at the cluster scope (a ClusterRole bound by a ClusterRoleBinding); a rule
    with resourceNames matches only requests that name one of them, so never create or list.
    Tokens given with --token belong to "admin", who may do everything."""

    def __init__(self, tokens, rbac, anonymous):
        self.tokens = {t: "admin" for t in tokens}
        self.users = {"admin": {"admin": True}}
        if rbac:
            self.tokens.update(rbac.get("tokens", {}))
            self.users.update(rbac.get("users", {}))
        self.anonymous = anonymous

    def authenticate(self, header, cert_user):
        if header:
            scheme, _, token = header.partition(" ")
            token = token.strip()
            if scheme.lower() == "bearer" and token in self.tokens:
                return self.tokens[token]
            raise ApiError(401, "Unauthorized", "Unauthorized")
        if cert_user:
            return cert_user
        if self.anonymous:
            return "system:anonymous"
        raise ApiError(401, "Unauthorized", "Unauthorized")

    def allowed(self, user, verb, resource, namespace, name):
        entry = self.users.get(user)
        if not entry:
            return False
        if entry.get("admin"):
            return True
        for rule in entry.get("rules", []):
            groups = rule.get("apiGroups", [""])
            if "" not in groups and "*" not in groups:
                continue
            if not set(rule.get("verbs", [])) & {verb, "*"}:
                continue
            if not set(rule.get("resources", [])) & {resource, "*"}:
                continue
            if "namespaces" in rule:
                if namespace is None or not set(rule["namespaces"]) & {namespace, "*"}:
                    continue
            names = rule.get("resourceNames")
            if names and name not in names:
                continue
            return True
        return False

    def check(self, user, verb, resource, namespace, name):
        if self.allowed(user, verb, resource, namespace, name):
            return
        where = (f'in the namespace "{namespace}"' if namespace is not None
                 else "at the cluster scope")
        subject = f'{resource} "{name}"' if name else resource
        details = {"kind": resource}
        if name:
            details = {"name": name, "kind": resource}
        raise ApiError(403, "Forbidden",
                       f'{subject} is forbidden: User "{user}" cannot {verb} resource '
                       f'"{resource}" in API group "" {where}', details)


class Api:
    """The API's semantics, independent of HTTP."""

    def __init__(self, store):
        self.store = store

    # ----- validation and normalisation of written objects -----

    def decode_body(self, kind, body):
        if not isinstance(body, dict):
            raise bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: '
                              "the body is not an object")
        if body.get("kind") not in (None, "", kind):
            raise bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: '
                              f'the kind in the body ({body.get("kind")}) does not match')
        if body.get("apiVersion") not in (None, "", "v1"):
            raise bad_request(f'the API version in the data ({body.get("apiVersion")}) does not '
                              "match the expected API version (v1)")
        meta = body.get("metadata") or {}
        if not isinstance(meta, dict):
            raise bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: '
                              "metadata is not an object")
        for field in ("labels", "annotations"):
            value = meta.get(field)
            if value is not None and (not isinstance(value, dict) or
                                      not all(isinstance(v, str) for v in value.values())):
                raise bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: '
                                  f"metadata.{field} must map strings to strings")
        obj = {"kind": kind, "apiVersion": "v1"}
        obj.update((k, copy.deepcopy(v)) for k, v in body.items() if k not in obj)
        obj["metadata"] = copy.deepcopy(meta)
        for field in ("labels", "annotations"):
            if field in obj["metadata"] and not obj["metadata"][field]:
                del obj["metadata"][field]
        return obj

    def check_string_map(self, kind, obj, field):
        value = obj.get(field)
        if value is None:
            obj.pop(field, None)
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: '
                              f"{field} must map strings to strings")
        return value

    def normalise_secret(self, obj):
        data = self.check_string_map("Secret", obj, "data")
        decoded = {}
        for key, value in data.items():
            try:
                decoded[key] = go_base64_decode(value)
            except ValueError as e:
                raise bad_request(f'Secret in version "v1" cannot be handled as a Secret: {e}')
        string_data = self.check_string_map("Secret", obj, "stringData")
        for key, value in string_data.items():  # stringData wins, as on the server
            decoded[key] = value.encode("utf-8")
        obj.pop("stringData", None)
        if decoded:
            obj["data"] = {k: base64.b64encode(v).decode() for k, v in decoded.items()}
        else:
            obj.pop("data", None)
        if not obj.get("type"):
            obj["type"] = "Opaque"
        normalise_immutable("Secret", obj)
        return decoded

    def validate_secret(self, obj, decoded):
        causes = self.name_causes(obj)
        for key in decoded:
            if not valid_config_key(key):
                causes.append((f"data[{key}]", "FieldValueInvalid",
                               f'Invalid value: "{key}": {CONFIG_KEY_MSG}'))
        required = SECRET_TYPE_KEYS.get(obj["type"], [])
        for key in required:
            if key not in decoded:
                causes.append((f"data[{key}]", "FieldValueRequired", "Required value"))
        if obj["type"] == "kubernetes.io/basic-auth" and not (
                "username" in decoded or "password" in decoded):
            causes.append(("data[username]", "FieldValueRequired", "Required value"))
        if obj["type"] in ("kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"):
            key = required[0]
            if key in decoded:
                try:
                    json.loads(decoded[key])
                except ValueError as e:
                    causes.append((f"data[{key}]", "FieldValueInvalid",
                                   f'Invalid value: "<secret contents redacted>": {e}'))
        if sum(len(k) + len(v) for k, v in decoded.items()) > MAX_SECRET_BYTES:
            causes.append(("data", "FieldValueTooLong",
                           f"Too long: must have at most {MAX_SECRET_BYTES} bytes"))
        return causes

    def normalise_configmap(self, obj):
        self.check_string_map("ConfigMap", obj, "data")
        binary = self.check_string_map("ConfigMap", obj, "binaryData")
        normalise_immutable("ConfigMap", obj)
        decoded = {}
        for key, value in binary.items():
            try:
                decoded[key] = go_base64_decode(value)
            except ValueError as e:
                raise bad_request(f'ConfigMap in version "v1" cannot be handled as a ConfigMap: '
                                  f"{e}")
        if binary:
            obj["binaryData"] = {k: base64.b64encode(v).decode() for k, v in decoded.items()}

    def validate_configmap(self, obj):
        data = obj.get("data") or {}
        binary = obj.get("binaryData") or {}
        decoded = {k: base64.b64decode(v) for k, v in binary.items()}
        causes = self.name_causes(obj)
        for field, keys in (("data", data), ("binaryData", binary)):
            for key in keys:
                if not valid_config_key(key):
                    causes.append((f"{field}[{key}]", "FieldValueInvalid",
                                   f'Invalid value: "{key}": {CONFIG_KEY_MSG}'))
        for key in set(data) & set(binary):
            causes.append((f"data[{key}]", "FieldValueInvalid",
                           f'Invalid value: "{key}": duplicate of key present in binaryData'))
        size = sum(len(k) + len(v.encode()) for k, v in data.items()) + sum(
            len(k) + len(v) for k, v in decoded.items())
        if size > MAX_SECRET_BYTES:
            causes.append(("", "FieldValueTooLong",
                           f"Too long: must have at most {MAX_SECRET_BYTES} bytes"))
        return causes

    def name_causes(self, obj):
        name = obj["metadata"].get("name", "")
        if not name:
            return [("metadata.name", "FieldValueRequired",
                     "Required value: name or generateName is required")]
        if len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
            return [("metadata.name", "FieldValueInvalid", f'Invalid value: "{name}": '
                     f"{SUBDOMAIN_MSG}")]
        return []

    def normalise(self, resource, obj):
        """Decoding-time work (400 BadRequest): base64, stringData, the default type."""
        if resource == "secrets":
            self.normalise_secret(obj)
        elif resource == "configmaps":
            self.normalise_configmap(obj)

    def validate(self, resource, obj, update_causes=()):
        """Field validation: 422 Invalid listing the update's causes, then the object's."""
        causes = list(update_causes)
        if resource == "secrets":
            decoded = {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
            causes += self.validate_secret(obj, decoded)
        elif resource == "configmaps":
            causes += self.validate_configmap(obj)
        if causes:
            raise invalid(RESOURCES[resource][0], obj["metadata"].get("name", ""), causes)

    # ----- operations -----

    def require_namespace(self, ns):
        if ns not in self.store.namespaces:
            raise not_found("namespaces", ns)

    def get(self, resource, ns, name):
        with self.store.lock:
            obj = self.store.objects.get((resource, ns, name))
            if obj is None:
                raise not_found(resource, name)
            return 200, copy.deepcopy(obj)

    def list(self, resource, ns, query):
        kind, list_kind = RESOURCES[resource]
        selector = parse_selector(query.get("labelSelector", [""])[0])
        field_name = None
        for part in filter(None, query.get("fieldSelector", [""])[0].split(",")):
            key, _, value = part.partition("=")
            if key.rstrip("=") != "metadata.name":
                raise bad_request(f'"{key}" is not a known field selector: only "metadata.name"')
            field_name = value.lstrip("=")
        with self.store.lock:
            if resource == "namespaces":
                objects = list(self.store.namespaces.values())
            else:
                objects = [o for (r, n, _), o in sorted(self.store.objects.items())
                           if r == resource and (ns is None or n == ns)]
            items = []
            for obj in sorted(objects, key=lambda o: (o["metadata"].get("namespace", ""),
                                                      o["metadata"]["name"])):
                if field_name is not None and obj["metadata"]["name"] != field_name:
                    continue
                if not selector(obj["metadata"].get("labels", {})):
                    continue
                item = copy.deepcopy(obj)
                item.pop("kind", None)
                item.pop("apiVersion", None)
                items.append(item)
            return 200, {"kind": list_kind, "apiVersion": "v1",
                         "metadata": {"resourceVersion": str(self.store.revision)},
                         "items": items}

    def create(self, resource, ns, body):
        kind = RESOURCES[resource][0]
        obj = self.decode_body(kind, body)
        meta = obj["metadata"]
        if meta.get("namespace") not in (None, "", ns):
            raise bad_request("the namespace of the provided object does not match the "
                              "namespace sent on the request")
        self.normalise(resource, obj)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        with self.store.lock:
            self.require_namespace(ns)  # admission (NamespaceLifecycle) comes before validation
            self.validate(resource, obj)
            if meta.get("resourceVersion"):
                raise ApiError(500, "", "resourceVersion should not be set on objects to be "
                                        "created")
            key = (resource, ns, meta["name"])
            if key in self.store.objects:
                raise ApiError(409, "AlreadyExists", f'{resource} "{meta["name"]}" already '
                               "exists", {"name": meta["name"], "kind": resource})
            meta["namespace"] = ns
            meta["uid"] = str(uuid.uuid4())
            meta["resourceVersion"] = self.store.next_rv()
            meta["creationTimestamp"] = now_rfc3339()
            for server_set in ("deletionTimestamp", "selfLink", "managedFields", "generation"):
                meta.pop(server_set, None)
            self.store.objects[key] = obj
            return 201, copy.deepcopy(obj)

    def replace(self, resource, ns, name, body):
        kind = RESOURCES[resource][0]
        obj = self.decode_body(kind, body)
        meta = obj["metadata"]
        if meta.get("name", "") != name:
            raise bad_request(f'the name of the object ({meta.get("name", "")}) does not match '
                              f"the name on the URL ({name})")
        if meta.get("namespace") not in (None, "", ns):
            raise bad_request("the namespace of the provided object does not match the "
                              "namespace sent on the request")
        self.normalise(resource, obj)
        with self.store.lock:
            key = (resource, ns, name)
            old = self.store.objects.get(key)
            if old is None:
                raise not_found(resource, name)  # secrets and configmaps: no create on update
            old_meta = old["metadata"]
            if meta.get("uid") and meta["uid"] != old_meta["uid"]:
                raise ApiError(409, "Conflict", "Precondition failed: UID in precondition: "
                               f'{meta["uid"]}, UID in object meta: {old_meta["uid"]}',
                               {"name": name, "kind": resource})
            rv = meta.get("resourceVersion")
            if rv and rv != old_meta["resourceVersion"]:
                raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {resource} '
                               f'"{name}": the object has been modified; please apply your '
                               "changes to the latest version and try again",
                               {"name": name, "kind": resource})
            # Validation runs on the update after the preconditions, as in the storage layer.
            causes = []
            if resource == "secrets" and obj["type"] != old["type"]:
                causes.append(("type", "FieldValueInvalid",
                               f'Invalid value: "{obj["type"]}": field is immutable'))
            if old.get("immutable"):
                data_fields = ("data",) if resource == "secrets" else ("data", "binaryData")
                for field in data_fields:
                    if obj.get(field) != old.get(field):
                        causes.append((field, "FieldValueForbidden",
                                       "Forbidden: field is immutable when `immutable` is set"))
                if not obj.get("immutable"):
                    causes.append(("immutable", "FieldValueForbidden",
                                   "Forbidden: field is immutable when `immutable` is set"))
            self.validate(resource, obj, causes)
            # Server-owned metadata stays as stored.
            meta["namespace"] = ns
            meta["uid"] = old_meta["uid"]
            meta["creationTimestamp"] = old_meta["creationTimestamp"]
            meta["resourceVersion"] = old_meta["resourceVersion"]
            for server_set in ("selfLink", "managedFields", "generation"):
                meta.pop(server_set, None)
            if obj == old:
                return 200, copy.deepcopy(old)  # a no-op update writes nothing
            meta["resourceVersion"] = self.store.next_rv()
            self.store.objects[key] = obj
            return 200, copy.deepcopy(obj)

    def delete(self, resource, ns, name, body):
        preconditions = (body or {}).get("preconditions") or {}
        with self.store.lock:
            key = (resource, ns, name)
            old = self.store.objects.get(key)
            if old is None:
                raise not_found(resource, name)
            meta = old["metadata"]
            if preconditions.get("uid") and preconditions["uid"] != meta["uid"]:
                raise ApiError(409, "Conflict", "Precondition failed: UID in precondition: "
                               f'{preconditions["uid"]}, UID in object meta: {meta["uid"]}',
                               {"name": name, "kind": resource})
            if (preconditions.get("resourceVersion") and
                    preconditions["resourceVersion"] != meta["resourceVersion"]):
                raise ApiError(409, "Conflict", "Precondition failed: ResourceVersion in "
                               f'precondition: {preconditions["resourceVersion"]}, '
                               f'ResourceVersion in object meta: {meta["resourceVersion"]}',
                               {"name": name, "kind": resource})
            del self.store.objects[key]
            self.store.next_rv()
            return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                         "status": "Success",
                         "details": {"name": name, "kind": resource, "uid": meta["uid"]}}

    def get_namespace(self, name):
        with self.store.lock:
            ns = self.store.namespaces.get(name)
            if ns is None:
                raise not_found("namespaces", name)
            return 200, copy.deepcopy(ns)

    def create_namespace(self, body):
        obj = self.decode_body("Namespace", body)
        name = obj["metadata"].get("name", "")
        if not name:
            raise invalid("Namespace", name, [("metadata.name", "FieldValueRequired",
                                               "Required value: name or generateName is "
                                               "required")])
        if len(name) > 63 or not DNS1123_LABEL.match(name):
            raise invalid("Namespace", name, [("metadata.name", "FieldValueInvalid",
                                               f'Invalid value: "{name}": {LABEL_MSG}')])
        with self.store.lock:
            if name in self.store.namespaces:
                raise ApiError(409, "AlreadyExists", f'namespaces "{name}" already exists',
                               {"name": name, "kind": "namespaces"})
            return 201, copy.deepcopy(self.store.add_namespace(
                name, obj["metadata"].get("labels")))

    def delete_namespace(self, name):
        # The real API marks the namespace Terminating and empties it in the background; here it
        # goes at once, with its contents.
        with self.store.lock:
            ns = self.store.namespaces.pop(name, None)
            if ns is None:
                raise not_found("namespaces", name)
            for key in [k for k in self.store.objects if k[1] == name]:
                del self.store.objects[key]
            self.store.next_rv()
            ns = copy.deepcopy(ns)
            ns["status"]["phase"] = "Terminating"
            return 200, ns

    def seed(self, objects):
        """Stores objects as given (namespaces of namespaced objects are created)."""
        for obj in objects:
            kind = (obj or {}).get("kind")
            meta = (obj or {}).get("metadata") or {}
            if kind == "Namespace":
                self.store.add_namespace(meta["name"], meta.get("labels"))
                continue
            resource = {"Secret": "secrets", "ConfigMap": "configmaps"}.get(kind)
            if resource is None:
                raise ValueError(f"cannot seed kind {kind!r}: only Namespace, Secret, ConfigMap")
            ns = meta.get("namespace") or "default"
            self.store.add_namespace(ns)
            body = copy.deepcopy(obj)
            body["metadata"].pop("resourceVersion", None)
            existing = (resource, ns, meta.get("name"))
            if existing in self.store.objects:
                body["metadata"]["resourceVersion"] = ""
                self.replace(resource, ns, meta.get("name"), body)
            else:
                self.create(resource, ns, body)


def normalise_immutable(kind, obj):
    if obj.get("immutable") is None:
        obj.pop("immutable", None)
    elif not isinstance(obj["immutable"], bool):
        raise bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: '
                          "immutable must be a boolean")


def valid_config_key(key):
    return (0 < len(key) <= 253 and CONFIG_KEY.match(key) is not None and
            key not in (".", "..") and not key.startswith(".."))


def parse_selector(text):
    """Equality-based label selectors: a=b, a==b, a!=b, a, !a (comma = and)."""
    tests = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "!=" in part:
            k, v = part.split("!=", 1)
            tests.append(lambda l, k=k.strip(), v=v.strip(): l.get(k) != v)
        elif "=" in part:
            k, v = part.split("==", 1) if "==" in part else part.split("=", 1)
            tests.append(lambda l, k=k.strip(), v=v.strip(): l.get(k) == v)
        elif part.startswith("!"):
            tests.append(lambda l, k=part[1:].strip(): k not in l)
        else:
            tests.append(lambda l, k=part: k in l)
    return lambda labels: all(t(labels) for t in tests)


def load_documents(text):
    """Objects from JSON (an object, a list, or {"items": [...]}) or YAML (multi-document)."""
    try:
        doc = json.loads(text)
        docs = [doc]
    except ValueError:
        if yaml is None:
            raise ValueError("the seed is not JSON and PyYAML is not installed for YAML")
        docs = list(yaml.safe_load_all(text))
    objects = []
    for doc in docs:
        if doc is None:
            continue
        if isinstance(doc, list):
            objects.extend(doc)
        elif isinstance(doc, dict) and "items" in doc and "kind" not in doc:
            objects.extend(doc["items"])
        elif isinstance(doc, dict) and doc.get("kind", "").endswith("List"):
            objects.extend(doc.get("items", []))
        else:
            objects.append(doc)
    return objects


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that drops the connection or fails the TLS handshake is the client's business.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class Server:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="kube-test-server-")
        namespaces = DEFAULT_NAMESPACES + [n for n in args.namespace if n not in
                                           DEFAULT_NAMESPACES]
        self.store = Store(namespaces)
        self.api = Api(self.store)
        rbac = None
        if args.rbac:
            with open(args.rbac, encoding="utf-8") as f:
                rbac = load_documents(f.read())[0]
        tokens = args.token or (["cpa-test-token"] if not rbac else [])
        self.tokens = tokens
        self.authz = Authz(tokens, rbac, args.anonymous)
        if args.seed:
            with open(args.seed, encoding="utf-8") as f:
                self.api.seed(load_documents(f.read()))
        self.faults = []
        self.requests = []
        self.control_lock = threading.Lock()
        self.ca_file = None
        self.httpd = QuietServer((args.host, args.port), make_handler(self))
        scheme = "http"
        if not args.http:
            scheme = "https"
            cert, key = self.make_certificate()
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            if args.client_ca:
                context.load_verify_locations(args.client_ca)
                context.verify_mode = ssl.CERT_OPTIONAL
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True,
                                                    do_handshake_on_connect=False)
            self.ca_file = cert
        self.port = self.httpd.server_address[1]
        self.url = f"{scheme}://{args.host}:{self.port}"

    def make_certificate(self):
        cert = os.path.join(self.tmp, "server.crt")
        key = os.path.join(self.tmp, "server.key")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days",
             "2", "-subj", "/CN=kube-test-server", "-addext",
             "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return cert, key

    def write_kubeconfig(self, path):
        lines = ["apiVersion: v1", "kind: Config", "clusters:", "- name: kube-test-server",
                 "  cluster:", f"    server: {self.url}"]
        if self.ca_file:
            with open(self.ca_file, "rb") as f:
                lines.append("    certificate-authority-data: " +
                             base64.b64encode(f.read()).decode())
        lines += ["users:", "- name: test-user", "  user:"]
        lines.append(f"    token: {self.tokens[0]}" if self.tokens else "    {}")
        lines += ["contexts:", "- name: kube-test-server", "  context:",
                  "    cluster: kube-test-server", "    user: test-user",
                  "    namespace: default", "current-context: kube-test-server", ""]
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))

    def start(self):
        kubeconfig = self.args.kubeconfig or os.path.join(self.tmp, "kubeconfig")
        self.write_kubeconfig(kubeconfig)
        info = {"url": self.url, "port": self.port, "ca_file": self.ca_file,
                "kubeconfig": kubeconfig, "token": self.tokens[0] if self.tokens else None,
                "pid": os.getpid()}
        if self.args.ready_file:
            tmp = self.args.ready_file + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(info, f)
            os.replace(tmp, self.args.ready_file)
        print(f"READY {self.url}", flush=True)

    def take_fault(self, method, path):
        with self.control_lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.count > 0:
                        fault.count -= 1
                    return fault
        return None

    def log_request(self, method, path, user, code):
        with self.control_lock:
            self.requests.append({"method": method, "path": path, "user": user, "code": code})

    def close(self):
        self.httpd.server_close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def make_handler(server):
    api, authz = server.api, server.authz

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "kube-test-server"

        def log_message(self, fmt, *args):  # quiet; tests read /_test/requests
            pass

        def send_json(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def read_body(self):
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                raise ApiError(411, "", "chunked request bodies are not supported by the test "
                                        "server")
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def parse_body(self, raw, kind):
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype in ("application/json", ""):
                try:
                    return json.loads(raw.decode("utf-8")) if raw else {}
                except ValueError as e:
                    raise bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: '
                                      f"invalid JSON: {e}")
            if ctype == "application/yaml" and yaml is not None:
                try:
                    return yaml.safe_load(raw) or {}
                except yaml.YAMLError as e:
                    raise bad_request(f"error converting YAML to JSON: {e}")
            raise ApiError(415, "UnsupportedMediaType",
                           f'the body of the request was in an unknown format - accepted media '
                           f'types include: application/json, application/yaml')

        def cert_user(self):
            try:
                cert = self.connection.getpeercert()
            except (AttributeError, ValueError):
                return None
            for rdn in (cert or {}).get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        return value
            return None

        def handle_test(self, method, path):
            raw = self.read_body()
            body = json.loads(raw) if raw else {}
            if path == "/_test/health" and method == "GET":
                return self.send_json(200, "ok")
            if path == "/_test/faults" and method == "POST":
                with server.control_lock:
                    if body.get("clear"):
                        server.faults.clear()
                    else:
                        server.faults.append(Fault(body))
                return self.send_json(200, {"faults": len(server.faults)})
            if path == "/_test/requests":
                with server.control_lock:
                    if method == "DELETE":
                        server.requests.clear()
                    return self.send_json(200, list(server.requests))
            if path == "/_test/objects" and method == "POST":
                try:
                    api.seed(load_documents(json.dumps(body)))
                except ApiError as e:
                    return self.send_json(e.code, e.status())
                return self.send_json(200, {"ok": True})
            if path == "/_test/reset" and method == "POST":
                with server.control_lock:
                    server.faults.clear()
                    server.requests.clear()
                return self.send_json(200, {"ok": True})
            return self.send_json(404, {"error": "unknown test endpoint"})

        def dispatch(self, method):
            split = urlsplit(self.path)
            path = unquote(split.path)
            query = parse_qs(split.query)
            if path.startswith("/_test/"):
                return self.handle_test(method, path)
            user = None
            code = 500
            try:
                raw = self.read_body()
                user = authz.authenticate(self.headers.get("Authorization"), self.cert_user())
                fault = server.take_fault(method, path)
                if fault is not None and fault.action == "respond":
                    raise ApiError(fault.code, fault.reason, fault.message)
                code, body = self.route(method, path, query, raw, user, fault)
            except ApiError as e:
                code, body = e.code, e.status()
            server.log_request(method, path, user, code)
            self.send_json(code, body)

        def route(self, method, path, query, raw, user, fault):
            parts = [p for p in path.split("/") if p]
            if parts[:2] != ["api", "v1"]:
                if parts == ["api"] and method == "GET":
                    return 200, {"kind": "APIVersions", "versions": ["v1"],
                                 "serverAddressByClientCIDRs": []}
                raise ApiError(404, "NotFound", "the server could not find the requested resource",
                               {})
            rest = parts[2:]
            if "watch" in query and query["watch"][0] in ("1", "true"):
                raise ApiError(405, "MethodNotAllowed", "watch is not supported by the test "
                                                        "server")
            # /api/v1/{secrets|configmaps}: all namespaces
            if len(rest) == 1 and rest[0] in ("secrets", "configmaps"):
                if method != "GET":
                    raise method_not_allowed(method)
                authz.check(user, "list", rest[0], None, None)
                return api.list(rest[0], None, query)
            if not rest or rest[0] != "namespaces":
                raise ApiError(404, "NotFound", "the server could not find the requested resource",
                               {})
            if len(rest) == 1:  # the namespaces collection
                if method == "GET":
                    authz.check(user, "list", "namespaces", None, None)
                    return api.list("namespaces", None, query)
                if method == "POST":
                    authz.check(user, "create", "namespaces", None, None)
                    return api.create_namespace(self.parse_body(raw, "Namespace"))
                raise method_not_allowed(method)
            ns = rest[1]
            if len(rest) == 2:  # one namespace
                if method == "GET":
                    authz.check(user, "get", "namespaces", None, ns)
                    return api.get_namespace(ns)
                if method == "DELETE":
                    authz.check(user, "delete", "namespaces", None, ns)
                    return api.delete_namespace(ns)
                raise method_not_allowed(method)
            resource = rest[2]
            if resource not in ("secrets", "configmaps") or len(rest) > 4:
                raise ApiError(404, "NotFound", "the server could not find the requested resource",
                               {})
            kind = RESOURCES[resource][0]
            if len(rest) == 3:  # collection
                if method == "GET":
                    authz.check(user, "list", resource, ns, None)
                    return api.list(resource, ns, query)
                if method == "POST":
                    authz.check(user, "create", resource, ns, None)
                    return api.create(resource, ns, self.parse_body(raw, kind))
                raise method_not_allowed(method)
            name = rest[3]
            verb = {"GET": "get", "PUT": "update", "DELETE": "delete", "PATCH": "patch"}.get(method)
            if verb is None:
                raise method_not_allowed(method)
            authz.check(user, verb, resource, ns, name)
            if fault is not None and fault.action == "touch":
                touch(resource, ns, name)
            if method == "GET":
                return api.get(resource, ns, name)
            if method == "PUT":
                return api.replace(resource, ns, name, self.parse_body(raw, kind))
            if method == "DELETE":
                body = self.parse_body(raw, "DeleteOptions") if raw else {}
                return api.delete(resource, ns, name, body)
            raise method_not_allowed(method)

        def do_GET(self):
            self.dispatch("GET")

        def do_POST(self):
            self.dispatch("POST")

        def do_PUT(self):
            self.dispatch("PUT")

        def do_DELETE(self):
            self.dispatch("DELETE")

        def do_PATCH(self):
            self.dispatch("PATCH")

    def touch(resource, ns, name):
        with server.store.lock:
            obj = server.store.objects.get((resource, ns, name))
            if obj is not None:
                obj["metadata"]["resourceVersion"] = server.store.next_rv()

    return Handler


def method_not_allowed(method):
    return ApiError(405, "MethodNotAllowed", f"the server does not allow this method on the "
                                             f"requested resource ({method} is not supported by "
                                             "the test server)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    parser.add_argument("--ready-file")
    parser.add_argument("--kubeconfig", help="where to write a kubeconfig for clients")
    parser.add_argument("--token", action="append", default=[],
                        help="a bearer token with full access (default: cpa-test-token)")
    parser.add_argument("--rbac", help="JSON/YAML RBAC map (see Authz)")
    parser.add_argument("--seed", help="JSON/YAML objects to start with")
    parser.add_argument("--namespace", action="append", default=[], help="a namespace to create")
    parser.add_argument("--client-ca", help="accept x509 client certificates signed by this CA")
    parser.add_argument("--anonymous", action="store_true",
                        help="requests without credentials are system:anonymous (else 401)")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="stop when stdin closes (the test that started it went away)")
    args = parser.parse_args(argv)
    server = Server(args)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_on_stdin_eof:
        def watch_stdin():
            # os.read, not sys.stdin: a daemon thread blocked in a buffered read aborts the
            # interpreter's shutdown.
            try:
                while os.read(0, 4096):
                    pass
            except OSError:
                pass
            stop.set()
        threading.Thread(target=watch_stdin, daemon=True).start()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    server.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.httpd.shutdown()
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
