#!/usr/bin/env python3
"""boto3 suite: the spec's steps 2-6 and the negative cases with boto3/botocore.

  boto3_suite.py --endpoint URL --root-credentials FILE --scratch DIR [--packages-account ID]
                 [--expect-enforcement] [--clock-advance-url URL] [--shift-client-clock]

Root credentials are used as profiles (account-<id>) of the root-credentials file; step 6 runs
with os.environ replaced by: AWS_CONFIG_FILE (the spec's file), AWS_ENDPOINT_URL, HOME=scratch,
AWS_EC2_METADATA_DISABLED, and nothing else AWS_*, through boto3.Session(profile_name='default').
"""

import contextlib
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import AwsError, Log, parse_args, scrubbed_environ, write_private  # noqa: E402
import _scenario  # noqa: E402

import boto3  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402


@contextlib.contextmanager
def environ(env):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def client_clock(offset_seconds):
    """Sign as if the clock were offset_seconds away (botocore's SigV4 takes its time from
    botocore.auth.get_current_datetime)."""
    if not offset_seconds:
        yield
        return
    orig = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *a, **k: orig(*a, **k) + datetime.timedelta(seconds=offset_seconds)
    try:
        yield
    finally:
        botocore.auth.get_current_datetime = orig


class Boto3Driver:
    name = f"boto3 {boto3.__version__} (botocore {botocore.__version__})"

    def __init__(self, args):
        self.args = args
        self.home = os.path.join(args.scratch, "home")
        os.makedirs(self.home, exist_ok=True)
        self.empty_config = write_private(os.path.join(args.scratch, "empty-config"), "")
        # Default retry behaviour, as users get it.
        self.config = botocore.config.Config(region_name=args.region)

    def _client(self, service, creds):
        """A client made (and its credentials resolved) under a scrubbed environment."""
        base = {"HOME": self.home, "AWS_CONFIG_FILE": self.empty_config}
        if creds.profile:
            with environ(scrubbed_environ(dict(base, AWS_SHARED_CREDENTIALS_FILE=creds.file))):
                session = boto3.Session(profile_name=creds.profile)
                client = session.client(service, endpoint_url=self.args.endpoint, config=self.config)
                client._request_signer._credentials.get_frozen_credentials()
                return client
        with environ(scrubbed_environ(dict(base, AWS_SHARED_CREDENTIALS_FILE=os.path.join(self.home, "none")))):
            session = boto3.Session(aws_access_key_id=creds.access_key_id,
                                    aws_secret_access_key=creds.secret_access_key,
                                    aws_session_token=creds.session_token)
            return session.client(service, endpoint_url=self.args.endpoint, config=self.config)

    def call(self, service, op, creds, params, clock_offset=0):
        client = self._client(service, creds)
        method = getattr(client, botocore.xform_name(op))
        try:
            with client_clock(clock_offset):
                return method(**params)
        except botocore.exceptions.ClientError as e:
            err = e.response.get("Error", {})
            raise AwsError(err.get("Code"), err.get("Message", ""),
                           e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))

    def step6(self, config_path, home):
        env = scrubbed_environ({"AWS_CONFIG_FILE": config_path, "AWS_ENDPOINT_URL": self.args.endpoint,
                                "HOME": home})
        with environ(env):
            # The whole call runs under this environment: the source profile's key, the
            # AssumeRole call (to AWS_ENDPOINT_URL) and GetCallerIdentity with the session.
            session = boto3.Session(profile_name="default")
            try:
                return session.client("sts").get_caller_identity()
            except botocore.exceptions.ClientError as e:
                err = e.response.get("Error", {})
                raise AwsError(err.get("Code"), err.get("Message", ""),
                               e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


if __name__ == "__main__":
    args, docs = parse_args("boto3")
    _scenario.main(Boto3Driver(args), args, docs, Log("boto3"))
