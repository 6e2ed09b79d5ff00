"""Verifying an LTI 1.3 launch: PyLTI1p3's checks (state cookie, id_token signature against the
platform's JWKS, expiry, registration by issuer and audience, deployment, message claims), plus
one it leaves out: a nonce is good for one launch only.

PyLTI1p3 2.0.0 only checks that the nonce it issued at login is still in the cache, so the same
id_token posted again (a replay) within the nonce's lifetime would pass; here the nonce is
deleted as it is checked, and a second use is refused.
"""
from lti_tool.models import LtiLaunch
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.exception import LtiException


class ReplayedLaunch(LtiException):
    pass


class OneTimeNonceLaunch(DjangoMessageLaunch):
    def validate_nonce(self):
        super().validate_nonce()
        nonce = self._get_jwt_body().get("nonce")
        storage = self._session_service.data_storage
        key = storage._prepare_key(self._session_service._get_key("nonce", nonce))
        # cache.delete says whether the key was there: of two posts of one id_token at once,
        # only one deletes it.
        if not storage._get_cache().delete(key):
            raise ReplayedLaunch("Invalid Nonce")
        return self


def verified_launch(request) -> LtiLaunch:
    """The launch posted to this request, verified; LtiException says what was wrong."""
    message_launch = OneTimeNonceLaunch(request, DjangoToolConfig(), launch_data_storage=DjangoCacheDataStorage())
    message_launch.validate()
    return LtiLaunch(message_launch)


def restored_launch(request, launch_id: str) -> LtiLaunch:
    """A launch verified earlier in this session (deep linking answers it after the teacher's pick)."""
    message_launch = DjangoMessageLaunch.from_cache(launch_id, request, DjangoToolConfig(),
                                                    launch_data_storage=DjangoCacheDataStorage())
    return LtiLaunch(message_launch)


# PyLTI1p3's messages, and what a person reading the refusal page should be told instead.
EXPLAINED = [
    ("Missing state param", "The launch came without its state: start it again from the course in your LMS."),
    ("State not found", "This browser did not keep the tool's login cookie (a private window, or cookies blocked "
                        "inside frames): start the launch again from your LMS, or open it in a new window."),
    ("Invalid Nonce", "This launch was already used, or is too old: start it again from your LMS."),
    ('"nonce" is empty', "The launch carries no nonce."),
    ("Registration not found", "No platform is registered here with this issuer and client ID (the token's "
                               "audience): the LMS administrator registers it on the tool's LTI page first."),
    ("Client id not registered", "The token's audience is not this tool's client ID for that platform."),
    ("Signature has expired", "The launch has expired: start it again from your LMS."),
    ("Can't decode id_token", "The launch's signature does not verify with the platform's published keys."),
    ("Unable to find public key", "The platform's key set has no key matching the launch's signature."),
    ("Invalid id_token", "The launch is not a signed token."),
    ("Invalid JWT format", "The launch is not a signed token."),
    ("Missing id_token", "The launch carries no id_token."),
]


def explain(exc: Exception) -> str:
    text = str(exc)
    for needle, meaning in EXPLAINED:
        if needle in text:
            return meaning
    return f"The launch could not be verified: {text}"
