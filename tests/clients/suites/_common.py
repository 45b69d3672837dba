"""Shared plumbing of the Python suites (cli_v1.py, cli_v2.py, boto3_suite.py).

Arguments, the per-step log, the AWS_* scrubbing of the environment, the root-credentials
file, the spec documents and the clock-advance hook. The steps themselves are in _scenario.py;
each suite only supplies a driver that performs one AWS call with its client.
Secrets are never printed: access key ids are shown masked, secret keys and tokens never.
"""

import argparse
import configparser
import json
import os
import re
import sys
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC_DOCUMENTS = os.path.join(HERE, "spec_documents.json")
CLOCK_ADVANCE_PATH = "/_cpa/test/advance-clock"


class AwsError(Exception):
    """An error the client surfaced: the AWS error code, message and HTTP status if known."""

    def __init__(self, code, message="", status=None):
        super().__init__(f"{code}: {message}" + (f" (HTTP {status})" if status else ""))
        self.code = code
        self.message = message
        self.status = status


class StepFailed(Exception):
    def __init__(self, step, error):
        super().__init__(f"{step}: {error}")
        self.step = step
        self.error = error


class Creds:
    """Credentials for one call. profile/file: a profile of a credentials file (the root
    credentials are used that way, as a person would); otherwise explicit keys."""

    def __init__(self, label, access_key_id, secret_access_key, session_token=None,
                 profile=None, file=None):
        self.label = label
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.session_token = session_token
        self.profile = profile
        self.file = file

    def with_secret(self, secret, label):
        return Creds(label, self.access_key_id, secret, self.session_token)

    def __repr__(self):
        return f"<{self.label} {mask(self.access_key_id)}>"


def mask(access_key_id):
    if not access_key_id:
        return "<none>"
    return access_key_id[:4] + "..." + access_key_id[-4:]


def parse_args(suite, argv=None):
    docs = load_documents()
    p = argparse.ArgumentParser(
        prog=suite,
        description=f"{suite}: the spec's steps 2-6 and negative cases against an AWS-compatible endpoint")
    p.add_argument("--endpoint", required=True, help="endpoint URL, e.g. http://127.0.0.1:4566")
    p.add_argument("--root-credentials", required=True,
                   help="AWS credentials file with profiles account-111111111111 and account-999999999999")
    p.add_argument("--scratch", required=True, help="scratch directory (created; files with keys are 0600)")
    p.add_argument("--packages-account", default=docs["default_packages_account"],
                   help="packages account id for the ECR policy (default %(default)s)")
    p.add_argument("--region", default=docs["region"], help="region (default %(default)s)")
    p.add_argument("--expect-enforcement", action="store_true",
                   help="run the negative cases (the endpoint verifies signatures and enforces IAM)")
    p.add_argument("--clock-advance-url", default=None,
                   help="URL of the server's test clock endpoint (POST ...?seconds=N); a bare "
                        f"endpoint URL gets {CLOCK_ADVANCE_PATH}. Enables the expired-session case")
    p.add_argument("--shift-client-clock", action="store_true",
                   help="after advancing the server clock, also sign with the client clock moved "
                        "forward by the same amount (for a server whose signature window follows "
                        "the advanced clock)")
    p.add_argument("--keep-going", action="store_true",
                   help="do not stop at the first failing negative case; report all, exit 1 at the end")
    p.add_argument("--cases", default=None,
                   help="comma-separated negative cases to run (default all): " + ",".join(NEGATIVE_CASES))
    p.add_argument("--keep", action="store_true", help="do not delete what the suite created")
    args = p.parse_args(argv)
    args.endpoint = args.endpoint.rstrip("/")
    args.scratch = os.path.abspath(args.scratch)
    args.root_credentials = os.path.abspath(args.root_credentials)
    if not re.fullmatch(r"\d{12}", args.packages_account):
        p.error("--packages-account must be 12 digits")
    host = urllib.parse.urlparse(args.endpoint).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        p.error(f"--endpoint must be on loopback, got {host!r}")
    args.cases = set(args.cases.split(",")) if args.cases else set(NEGATIVE_CASES)
    unknown = args.cases - set(NEGATIVE_CASES)
    if unknown:
        p.error("unknown cases: " + ",".join(sorted(unknown)))
    os.makedirs(args.scratch, exist_ok=True)
    return args, docs


NEGATIVE_CASES = {
    "no-assume-policy": "a user of 999999999999 without the assume-role policy cannot assume the role",
    "untrusted-account": "a user of 111111111111 (not trusted by the role) with an allow policy cannot assume it",
    "third-account": "a user of a third account with an allow policy cannot assume the role",
    "root-assume": "the root user of 999999999999 cannot call AssumeRole",
    "tampered-signature": "a request signed with a wrong secret is rejected",
    "old-date": "a request signed 25 minutes ago is rejected",
    "deleted-key": "a deleted access key is rejected",
    "expired-session": "a session used after its expiry is rejected",
}


def load_documents():
    with open(SPEC_DOCUMENTS) as f:
        return json.load(f)


def read_root_credentials(path):
    """account id -> Creds from profiles account-<id>."""
    cp = configparser.RawConfigParser()
    if not cp.read(path):
        raise SystemExit(f"cannot read root credentials file {path}")
    out = {}
    for section in cp.sections():
        m = re.fullmatch(r"account-(\d{12})", section)
        if not m:
            continue
        out[m.group(1)] = Creds(f"root of {m.group(1)}", cp.get(section, "aws_access_key_id"),
                                cp.get(section, "aws_secret_access_key"),
                                cp.get(section, "aws_session_token", fallback=None),
                                profile=section, file=path)
    return out


def scrubbed_environ(extra=None):
    """The parent's environment without any AWS_* or proxy setting, no metadata service,
    plus `extra`. Used for every client run (subprocess env or os.environ for boto3)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost,::1"
    if extra:
        env.update(extra)
    return env


def write_private(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def step6_config_text(docs, region, access_key_id, secret):
    """The spec's step-6 file with the values it tells the reader to replace."""
    text = docs["config_file"]["text"]
    text = text.replace("region=region-code", "region=" + region)
    text = text.replace("AKIAIOSFODNN7EXAMPLE", access_key_id)
    text = text.replace("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", secret)
    return text


def clock_advance_target(url):
    parsed = urllib.parse.urlparse(url)
    if parsed.path in ("", "/"):
        url = url.rstrip("/") + CLOCK_ADVANCE_PATH
    return url


def advance_clock(url, seconds):
    url = clock_advance_target(url)
    sep = "&" if "?" in url else "?"
    req = urllib.request.Request(f"{url}{sep}seconds={int(seconds)}", data=b"", method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=10) as resp:
        if resp.status // 100 != 2:
            raise RuntimeError(f"clock advance answered HTTP {resp.status}")
    return url


class Log:
    def __init__(self, suite):
        self.suite = suite

    def __call__(self, msg):
        print(f"[{self.suite}] {msg}", flush=True)
