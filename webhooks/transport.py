"""Sending one signed POST: public addresses only, no redirects, no proxies, short timeouts, a
bounded read of the response.

The address is checked twice, in every mode (development too): when a subscription is saved
(``check_url``, with messages for the form) and on every connection, against the address actually
connected to, so that a host name that later resolves to a private address (DNS rebinding) is
still refused. Loopback, private, link-local, shared, multicast and reserved addresses are
refused, also when carried inside an IPv6 address (mapped, 6to4, NAT64); only this machine's own
(loopback) addresses can be allowed, by ``WEBHOOKS_ALLOW_LOOPBACK``, for a receiver during
development or tests.
"""

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

RESPONSE_READ_LIMIT = 64 * 1024
RESPONSE_EXCERPT_CHARS = 2000


class RefusedAddress(OSError):
    """The connection went to a private, local or otherwise non-public address."""


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _carried(ip):
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), else ``ip`` itself."""
    if ip.version == 6:
        if ip.ipv4_mapped or ip.sixtofour:
            return ip.ipv4_mapped or ip.sixtofour
        if ip in NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_allowed(address: str) -> bool:
    """Whether we send to ``address``: a public one, or a loopback one if allowed."""
    ip = _carried(ipaddress.ip_address(address.split("%", 1)[0]))
    if ip.is_loopback:
        return settings.WEBHOOKS_ALLOW_LOOPBACK
    site_local = ip.version == 6 and ip.is_site_local
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or site_local)


def check_url(url: str) -> None:
    """Refuse, with a message for the person who typed it, an address we will not send to."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError(_("Enter a full web address starting with https://."))
    if settings.WEBHOOKS_REQUIRE_HTTPS and parts.scheme != "https":
        raise ValidationError(_("Use an https:// address: webhooks are only sent encrypted."))
    if parts.username or parts.password:
        raise ValidationError(
            _("Leave the user name and password out of the address: the signature proves us.")
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError):
        raise ValidationError(
            _("The host %(host)s cannot be found. Check the address.") % {"host": parts.hostname}
        ) from None
    if not all(is_allowed(info[4][0]) for info in found):
        raise ValidationError(
            _(
                "This address leads to a private or local network. Webhooks are sent only to "
                "public addresses."
            )
        )


def _check_peer(sock) -> None:
    if not is_allowed(sock.getpeername()[0]):
        sock.close()
        raise RefusedAddress("refused: the host resolved to a private or local address")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx answer is recorded as a failed attempt


_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _NoRedirects, _GuardedHTTPHandler, _GuardedHTTPSHandler
)


@dataclass(frozen=True)
class Outcome:
    status: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:RESPONSE_EXCERPT_CHARS]


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body`` to ``url``; never raises for network or HTTP failures."""
    started = time.monotonic()
    status, text, error = None, "", ""
    parts = urlsplit(url)
    allowed = {"https"} if settings.WEBHOOKS_REQUIRE_HTTPS else {"http", "https"}
    if parts.scheme not in allowed:
        error = f"refused: only {' and '.join(sorted(allowed))} addresses are allowed"
    else:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
        try:
            with _opener.open(request, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS) as response:
                status, text = response.status, _excerpt(response.read(RESPONSE_READ_LIMIT))
        except urllib.error.HTTPError as answer:
            status, text = answer.code, _excerpt(answer.read(RESPONSE_READ_LIMIT))
            if 300 <= answer.code < 400:
                error = f"redirects are not followed (Location: {answer.headers.get('Location')})"
            answer.close()
        except urllib.error.URLError as failure:
            error = str(failure.reason)
        except (OSError, http.client.HTTPException, ValueError) as failure:
            error = str(failure) or type(failure).__name__
    duration_ms = round((time.monotonic() - started) * 1000)
    return Outcome(status=status, body=text, error=error[:1000], duration_ms=duration_ms)
