#!/usr/bin/env python3
"""Runs one client suite against a fresh `cpa serve`, with enforcement and clock control.

Usage: run_against_cpa.py CPA_BINARY SUITE [suite options...]
SUITE is one of cli_v2, cli_v1, boto3, js. The server is started on a free loopback port with a
temporary data directory and a bootstrap file declaring the spec's two accounts plus a third one
(for the third-account case), with --test-clock so that the expired-session case can run. The
server is always stopped.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SUITES = {
    "cli_v2": [sys.executable, os.path.join(HERE, "cli_v2.py")],
    "cli_v1": [sys.executable, os.path.join(HERE, "cli_v1.py")],
    "boto3": [sys.executable, os.path.join(HERE, "boto3_suite.py")],
    "js": ["node", os.path.join(HERE, "js_suite.mjs")],
}
BOOTSTRAP = """accounts:
  - id: "111111111111"
    name: subscription-account
  - id: "999999999999"
    name: destination-account
  - id: "222222222222"
    name: third-account
"""


def main():
    cpa, suite, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    work = tempfile.mkdtemp(prefix="cpa-suite-")
    server = None
    try:
        boot = os.path.join(work, "bootstrap.yaml")
        with open(boot, "w") as f:
            f.write(BOOTSTRAP)
        data = os.path.join(work, "data")
        server = subprocess.Popen(
            [cpa, "serve", "--listen", "127.0.0.1:0", "--data", data, "--bootstrap", boot,
             "--test-clock"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        url = None
        deadline = time.time() + 30
        while time.time() < deadline and url is None:
            line = server.stdout.readline()
            if not line:
                break
            m = re.search(r"http://127\.0\.0\.1:\d+", line)
            if m:
                url = m.group(0)
        if url is None:
            print("run_against_cpa: cpa serve did not become ready", file=sys.stderr)
            return 1
        scratch = os.path.join(work, "scratch")
        os.makedirs(scratch)
        cmd = SUITES[suite] + ["--endpoint", url, "--root-credentials",
                               os.path.join(data, "root-credentials"), "--scratch", scratch,
                               "--expect-enforcement", "--clock-advance-url", url] + extra
        return subprocess.run(cmd, timeout=900).returncode
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
