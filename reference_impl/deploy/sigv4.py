"""POST a JSON job to the lab's API, signed with SigV4 for execute-api.

The API's methods use AWS_IAM authorization, so the caller's own IAM identity (from boto3's
standard chain) signs each request: no API key exists to store or leak.
"""
import json
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

TIMEOUT_S = 30


class ApiError(RuntimeError):
    """The API answered with an error status or not at all."""


def post_signed(url: str, body: str, credentials, region: str) -> str:
    """Send one job (its JSON message body); return the message id the API answers with."""
    data = body.encode()
    request = AWSRequest(method="POST", url=url, data=data, headers={"Content-Type": "application/json"})
    SigV4Auth(credentials, "execute-api", region).add_auth(request)
    prepared = urllib.request.Request(url, data=data, method="POST", headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=TIMEOUT_S) as response:  # noqa: S310 - https API URL
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise ApiError(f"POST {url}: HTTP {exc.code} {exc.read()[:200]!r}") from exc
    except (urllib.error.URLError, TimeoutError) as exc:
        raise ApiError(f"POST {url}: {exc}") from exc
    return answer.get("message_id", "")
