"""Driver for the AWS CLI (v1 and v2): one `aws <service> <operation>` process per call.

Every process gets a scrubbed environment (no inherited AWS_*, HOME = the scratch dir, an empty
AWS_CONFIG_FILE, AWS_EC2_METADATA_DISABLED=true). Root credentials are used as a person would:
AWS_SHARED_CREDENTIALS_FILE=<root-credentials> and --profile account-<id>; other credentials
(users' keys, sessions) through AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN.
Policy documents are passed as file:// of a file holding the spec's text.

The endpoint: v2 (2.9, no AWS_ENDPOINT_URL support) gets --endpoint-url and --region on every
command; v1 gets AWS_ENDPOINT_URL and AWS_DEFAULT_REGION in the environment (what it honours,
also for the STS call of a config-file role assumption).

A call signed at another time (old-date, expired-session with --shift-client-clock) runs the same
CLI code through `python -c`, with botocore's SigV4 clock offset: v1 uses
botocore.auth.get_current_datetime, v2's bundled botocore calls datetime.datetime.utcnow() in
awscli.botocore.auth.
"""

import json
import os
import re
import subprocess
import types  # noqa: F401 - used in the v2 clock wrapper source

from _common import AwsError, scrubbed_environ, write_private

DOCUMENT_PARAMS = {"PolicyDocument", "AssumeRolePolicyDocument"}

CLOCK_WRAPPER = r"""
import datetime, sys, types
off = datetime.timedelta(seconds=float(sys.argv.pop(1)))
import awscli           # first: the Debian v2 package makes `botocore` its bundled copy here
import botocore.auth as A
if hasattr(A, "get_current_datetime"):
    orig = A.get_current_datetime
    A.get_current_datetime = lambda *a, **k: orig(*a, **k) + off
else:                                  # v2 2.9: datetime.datetime.utcnow() in auth.py
    class DT(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcnow() + off
    A.datetime = types.SimpleNamespace(**{k: getattr(datetime, k) for k in dir(datetime)
                                          if not k.startswith("__")})
    A.datetime.datetime = DT
import awscli.clidriver
sys.argv[0] = "aws"
sys.exit(awscli.clidriver.main())
"""


def kebab(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


class CliDriver:
    def __init__(self, args, variant, base_cmd, python_for_clock):
        self.args = args
        self.variant = variant          # "v1" or "v2"
        self.base_cmd = base_cmd        # e.g. ["/usr/bin/aws"] or [python, "-m", "awscli"]
        self.python_for_clock = python_for_clock
        self.home = os.path.join(args.scratch, "home")
        self.docs_dir = os.path.join(args.scratch, "documents")
        os.makedirs(self.home, exist_ok=True)
        os.makedirs(self.docs_dir, exist_ok=True)
        self.empty_config = write_private(os.path.join(args.scratch, "empty-config"), "")
        out = subprocess.run(base_cmd + ["--version"], capture_output=True, text=True,
                             env=self._env({}))
        self.version = (out.stdout or out.stderr).strip().split(" ")[0]
        want = "aws-cli/2." if variant == "v2" else "aws-cli/1."
        if not self.version.startswith(want):
            raise SystemExit(f"{' '.join(base_cmd)} is {self.version!r}, not the AWS CLI {variant}")
        self.name = f"AWS CLI {self.version} ({' '.join(base_cmd)})"
        self.step6_skip_reason = (
            "the AWS CLI v2.9 predates AWS_ENDPOINT_URL, so the STS call of a config-file role "
            "assumption cannot be pointed at the endpoint" if variant == "v2" else None)

    def _env(self, extra):
        base = {"HOME": self.home, "AWS_CONFIG_FILE": self.empty_config,
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.home, "no-credentials"),
                "AWS_PAGER": ""}
        if self.variant == "v1":
            base["AWS_ENDPOINT_URL"] = self.args.endpoint
            base["AWS_DEFAULT_REGION"] = self.args.region
        base.update(extra)
        return scrubbed_environ(base)

    def _document_file(self, op, name, text):
        path = os.path.join(self.docs_dir, f"{op}-{name}.json")
        with open(path, "w") as f:
            f.write(text)
        return "file://" + path

    def _run(self, argv, env, clock_offset=0):
        cmd = list(self.base_cmd)
        if clock_offset:
            python = self.python_for_clock
            cmd = [python, "-c", CLOCK_WRAPPER, str(clock_offset)]
        out = subprocess.run(cmd + argv, capture_output=True, text=True, env=env, timeout=120)
        if out.returncode != 0:
            m = re.search(r"An error occurred \(([^)]+)\) when calling the (\w+) operation"
                          r"(?: \(reached max retries: \d+\))?: ?(.*)", out.stderr)
            if m:
                raise AwsError(m.group(1), m.group(3).strip())
            raise AwsError("CliFailure", f"exit {out.returncode}: {out.stderr.strip()[-500:]}")
        return json.loads(out.stdout) if out.stdout.strip() else {}

    def call(self, service, op, creds, params, clock_offset=0):
        argv = [service, kebab(op)]
        name = params.get("PolicyName") or params.get("RoleName") or "doc"
        for k, v in params.items():
            if k in DOCUMENT_PARAMS:
                v = self._document_file(kebab(op), name, v)
            argv += ["--" + kebab(k), str(v)]
        argv += ["--output", "json"]
        if self.variant == "v2":
            argv += ["--endpoint-url", self.args.endpoint, "--region", self.args.region]
        extra = {}
        if creds.profile:
            extra["AWS_SHARED_CREDENTIALS_FILE"] = creds.file
            argv += ["--profile", creds.profile]
        else:
            extra["AWS_ACCESS_KEY_ID"] = creds.access_key_id
            extra["AWS_SECRET_ACCESS_KEY"] = creds.secret_access_key
            if creds.session_token:
                extra["AWS_SESSION_TOKEN"] = creds.session_token
        return self._run(argv, self._env(extra), clock_offset)

    def step6(self, config_path, home):
        # Only the spec's config file: no credentials file, no key in the environment.
        env = scrubbed_environ({"AWS_CONFIG_FILE": config_path, "AWS_ENDPOINT_URL": self.args.endpoint,
                                "HOME": home, "AWS_PAGER": ""})
        return self._run(["sts", "get-caller-identity", "--output", "json"], env)
