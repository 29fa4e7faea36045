"""Pure parts: address classification, URL checks on literals, backoff, message ids."""

import random
from datetime import timedelta

import pytest

from app.webhooks import ssrf
from app.webhooks.delivery import BASE_DELAY, MAX_DELAY, backoff_delay


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.31.255.255", False),
        ("192.168.0.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.251", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.215.14", True),
        ("ff02::1", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert ssrf.is_public(address) is public


def test_a_checked_url_is_pinned_to_its_address_with_the_host_kept() -> None:
    target = ssrf.check_url(
        "https://93.184.215.14:8443/a?b=1", allow_private=False, allow_http=False
    )
    assert target.url == "https://93.184.215.14:8443/a?b=1"
    assert target.host_header == "93.184.215.14:8443" and target.address == "93.184.215.14"
    with pytest.raises(ssrf.UnsafeUrl):
        ssrf.check_url("http://93.184.215.14/", allow_private=False, allow_http=False)
    assert ssrf.check_url("http://93.184.215.14/", allow_private=False, allow_http=True)
    with pytest.raises(ssrf.UnsafeUrl):
        ssrf.check_url("http://10.0.0.1/", allow_private=False, allow_http=True)
    assert ssrf.check_url("http://10.0.0.1/", allow_private=True, allow_http=False)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    for attempt in range(1, 30):
        ceiling = min(BASE_DELAY * 2 ** (attempt - 1), MAX_DELAY)
        delays = {backoff_delay(attempt, rng) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jitter
    assert backoff_delay(100, rng) <= MAX_DELAY
    assert backoff_delay(1, rng) <= timedelta(seconds=10)
