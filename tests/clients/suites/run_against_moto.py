#!/usr/bin/env python3
"""Runs the four client suites against a moto_server it starts itself (and always stops).

  run_against_moto.py [--suites cli_v2,cli_v1,boto3,js] [--moto-enforce] [--scratch DIR]
                      [--moto-server PATH]

moto and accounts: moto 5 keeps one backend per account and picks the account of a request
from the access key (it looks the key up among the IAM users of every account; an unknown key
means the default account 123456789012). moto has no root users, so this harness gives each of
111111111111 and 999999999999 a stand-in: a user `cpa-root` created in that account (selected with
moto's `x-moto-account-id` header; also a third account 222222222222 for the negative case
`third-account`), with an inline allow-everything policy and an access key.
Those keys go into a root-credentials file with profiles account-<id>, the same shape cpa serve
writes; GetCallerIdentity then says arn:aws:iam::<id>:user/cpa-root instead of ...:root.

Default mode: moto does not authenticate (INITIAL_NO_AUTH_ACTION_COUNT is infinite), the suites
run without --expect-enforcement and the negative cases are skipped with a reason.
--moto-enforce: after the set-up, POST /moto-api/reset-auth with 0 switches moto's
authentication and IAM checks on, and the suites run with --expect-enforcement --keep-going, so
every negative case is tried and each one moto cannot do is reported (the run then fails;
that is the expected outcome, and shows what moto does enforce).
"""

import argparse
import configparser
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _common import scrubbed_environ, write_private  # noqa: E402

ACCOUNTS = ("111111111111", "999999999999", "222222222222")  # the last: a third account
ADMIN = json.dumps({"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})

SUITES = {
    "cli_v2": [sys.executable, os.path.join(HERE, "cli_v2.py")],
    "cli_v1": [sys.executable, os.path.join(HERE, "cli_v1.py")],
    "boto3": [sys.executable, os.path.join(HERE, "boto3_suite.py")],
    "js": ["node", os.path.join(HERE, "js_suite.mjs")],
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, proc, seconds=30):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"moto_server exited with {proc.returncode}")
        try:
            with opener.open(url + "/moto-api/", timeout=2):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise SystemExit("moto_server did not become ready")


def post(url, body=b""):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/plain"}), timeout=10) as r:
        return r.read()


def make_root_stand_ins(endpoint, path):
    """A `cpa-root` admin user with a key in each account; written as profiles account-<id>."""
    os.environ.clear()
    os.environ.update(scrubbed_environ({"AWS_CONFIG_FILE": os.devnull,
                                        "AWS_SHARED_CREDENTIALS_FILE": os.devnull}))
    import boto3
    cp = configparser.RawConfigParser()
    for acct in ACCOUNTS:
        iam = boto3.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x" * 40,
                            region_name="us-east-1").client("iam", endpoint_url=endpoint)
        iam.meta.events.register("before-sign.iam.*",
                                 lambda request, acct=acct, **_: request.headers.__setitem__(
                                     "x-moto-account-id", acct))
        iam.create_user(UserName="cpa-root")
        iam.put_user_policy(UserName="cpa-root", PolicyName="allow-all", PolicyDocument=ADMIN)
        key = iam.create_access_key(UserName="cpa-root")["AccessKey"]
        cp[f"account-{acct}"] = {"aws_access_key_id": key["AccessKeyId"],
                                 "aws_secret_access_key": key["SecretAccessKey"]}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        cp.write(f)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--suites", default=",".join(SUITES))
    p.add_argument("--moto-enforce", action="store_true")
    p.add_argument("--scratch", default=None, help="kept if given; a temporary directory otherwise")
    p.add_argument("--moto-server", default=shutil.which("moto_server") or "moto_server")
    args = p.parse_args()
    suites = args.suites.split(",")
    for s in suites:
        if s not in SUITES:
            p.error(f"unknown suite {s}")

    scratch = args.scratch or tempfile.mkdtemp(prefix="cpa-suites-")
    os.makedirs(scratch, exist_ok=True)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = open(os.path.join(scratch, "moto_server.log"), "w")
    # moto itself gets a scrubbed environment too (no AWS_* from the machine).
    proc = subprocess.Popen([args.moto_server, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=scrubbed_environ(),
                            start_new_session=True)
    results = {}
    try:
        wait_ready(endpoint, proc)
        print(f"[moto] moto_server pid {proc.pid} on {endpoint}; scratch {scratch}", flush=True)
        creds = os.path.join(scratch, "root-credentials")
        env_before = dict(os.environ)
        make_root_stand_ins(endpoint, creds)
        os.environ.clear()
        os.environ.update(env_before)
        print("[moto] root stand-ins: user cpa-root (allow *) in " + ", ".join(ACCOUNTS), flush=True)
        extra = []
        if args.moto_enforce:
            post(endpoint + "/moto-api/reset-auth", b"0")
            print("[moto] authentication and IAM checks switched on (reset-auth 0)", flush=True)
            extra = ["--expect-enforcement", "--keep-going"]
        for s in suites:
            cmd = SUITES[s] + ["--endpoint", endpoint, "--root-credentials", creds,
                               "--scratch", os.path.join(scratch, s)] + extra
            print(f"[moto] === suite {s}", flush=True)
            t0 = time.time()
            rc = subprocess.call(cmd, env=scrubbed_environ())
            results[s] = (rc, time.time() - t0)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print("[moto] summary" + (" (enforcing; failures expected where moto does not enforce)"
                              if args.moto_enforce else ""))
    for s in suites:
        rc, secs = results.get(s, (None, 0))
        print(f"[moto]   {s:7} {'PASS' if rc == 0 else 'FAIL rc=%s' % rc}  {secs:.1f}s")
    sys.exit(0 if all(results.get(s, (1,))[0] == 0 for s in suites) else 1)


if __name__ == "__main__":
    main()
