#!/usr/bin/env python3
"""AWS CLI v1 suite (the `awscli` Python package of the python3 running this script, run as
`python3 -m awscli`): the spec's steps 2-6 and the negative cases.

  cli_v1.py --endpoint URL --root-credentials FILE --scratch DIR [--packages-account ID]
            [--expect-enforcement] [--clock-advance-url URL] [--shift-client-clock]

The endpoint and region come from AWS_ENDPOINT_URL and AWS_DEFAULT_REGION in the CLI's
environment; step 6 runs `aws sts get-caller-identity` with only AWS_CONFIG_FILE (the spec's
file), AWS_ENDPOINT_URL and HOME set. See _cli_driver.py.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import Log, parse_args  # noqa: E402
from _cli_driver import CliDriver  # noqa: E402
import _scenario  # noqa: E402

if __name__ == "__main__":
    args, docs = parse_args("cli_v1")
    _scenario.main(CliDriver(args, "v1", [sys.executable, "-m", "awscli"], sys.executable),
                   args, docs, Log("cli_v1"))
