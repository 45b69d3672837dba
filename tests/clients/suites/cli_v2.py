#!/usr/bin/env python3
"""AWS CLI v2 suite (/usr/bin/aws from the Debian package `awscli`, 2.9): the spec's steps 2-5 and
the negative cases; step 6 is skipped (v2.9 predates AWS_ENDPOINT_URL), 6b assumes the role with
`aws sts assume-role` instead.

  cli_v2.py --endpoint URL --root-credentials FILE --scratch DIR [--packages-account ID]
            [--expect-enforcement] [--clock-advance-url URL] [--shift-client-clock] [--aws PATH]

Every command gets --endpoint-url and --region. See _cli_driver.py.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import Log, parse_args  # noqa: E402
from _cli_driver import CliDriver  # noqa: E402
import _scenario  # noqa: E402

if __name__ == "__main__":
    aws = "/usr/bin/aws"
    argv = sys.argv[1:]
    if "--aws" in argv:
        i = argv.index("--aws")
        aws = argv[i + 1]
        del argv[i:i + 2]
    args, docs = parse_args("cli_v2", argv)
    if not os.path.exists(aws):
        sys.exit(f"[cli_v2] {aws} not found: install the Debian package awscli (scripts/bootstrap)")
    # /usr/bin/aws is a Python script run by /usr/bin/python3; the clock wrapper uses the same.
    with open(aws) as f:
        first = f.readline()
    python = first[2:].strip().split()[0] if first.startswith("#!") else "/usr/bin/python3"
    _scenario.main(CliDriver(args, "v2", [aws], python), args, docs, Log("cli_v2"))
