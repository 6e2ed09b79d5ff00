"""The client address for throttles and lockouts: the connection's, or what trusted proxies vouch for."""
import pytest

from accounts.client_address import client_address


@pytest.fixture
def request_from(rf):
    def _from(remote="10.0.0.9", forwarded=None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return rf.get("/", **extra)
    return _from


def test_without_trusted_proxies_x_forwarded_for_is_ignored(request_from, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from(forwarded="203.0.113.5")) == "10.0.0.9"


@pytest.mark.parametrize("proxies, forwarded, expected", [
    (1, "203.0.113.5", "203.0.113.5"),
    (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),             # the client's own entry is not believed
    (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),   # the second proxy's entry is the first's peer
    (2, "203.0.113.5", "203.0.113.5"),                      # a request that skipped one proxy
    (1, " , ", "10.0.0.9"),                                 # nothing usable: the connection
])
def test_the_right_most_untrusted_entry_is_the_client(request_from, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request_from(forwarded=forwarded)) == expected


def test_no_header_behind_a_proxy_falls_back_to_the_connection(request_from, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from()) == "10.0.0.9"
