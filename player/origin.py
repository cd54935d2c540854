"""Which server a record comes from: the normalized origin of a server's base URL.

Keys that look global (a tenant id, a course id, a user id) are only unique within one server, so
every record that comes from a server carries that server's origin: ``scheme://host[:port]``,
lowercase, with the scheme's default port dropped. The machine's own records (courses imported
from files, the guest) carry ``LOCAL`` (the empty string).
"""

from __future__ import annotations

from urllib.parse import urlsplit

LOCAL = ""
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(url: str | None) -> str:
    """``https://Learn.Example.org:443/base/`` → ``https://learn.example.org``; "" for None/""."""
    if not url:
        return LOCAL
    text = url.strip()
    if "://" not in text:  # "host:port" without a scheme
        text = f"https://{text}"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def origin_host(origin: str) -> str:
    """``https://learn.example.org:8443`` → ``learn.example.org:8443`` (for labels and ids)."""
    return origin.split("://", 1)[-1]
