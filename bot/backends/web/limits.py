"""Request limits of the web backend: per conversation and per client address.

The client address is the peer of the TCP connection, or, when that peer is a trusted reverse
proxy (``web_trusted_proxies``), the last address of ``X-Forwarded-For`` that is not itself a
trusted proxy.  Addresses are never stored: buckets are keyed by a keyed hash that changes at
every start, live in memory only and are dropped once idle."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets

from ...jobs.pacing import Gcra


def per_minute(count: int) -> Gcra:
    """``count`` requests per minute, all of them allowed back to back."""
    return Gcra(count / 60.0, burst=count)


def allow(bucket: Gcra, now: float) -> bool:
    if bucket.earliest(now) > now:
        return False
    bucket.reserve(now)
    return True


class TrustedProxies:
    def __init__(self, entries):
        self.nets = [ipaddress.ip_network(e, strict=False) for e in entries]

    def __contains__(self, addr: str | None) -> bool:
        if not addr or not self.nets:
            return False
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in n for n in self.nets)


def client_address(peer: str | None, forwarded_for: str | None, trusted: TrustedProxies) -> str:
    """The address the request came from, believing ``X-Forwarded-For`` only from trusted proxies."""
    addr = peer or "-"
    if addr not in trusted or not forwarded_for:
        return addr
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops[-16:]):
        addr = hop
        if hop not in trusted:
            break
    return addr


class AddressLimiter:
    """``count`` requests per minute per client address, in memory, keyed by a keyed hash."""

    def __init__(self, count: int, max_keys: int = 100_000):
        self.count = count
        self.max_keys = max_keys
        self._key = secrets.token_bytes(16)
        self._buckets: dict[bytes, Gcra] = {}

    def _hash(self, addr: str) -> bytes:
        return hashlib.blake2b(addr.encode(), key=self._key, digest_size=12).digest()

    def allow(self, addr: str, now: float) -> bool:
        k = self._hash(addr)
        bucket = self._buckets.get(k)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self.prune(now)
            bucket = self._buckets[k] = per_minute(self.count)
        return allow(bucket, now)

    def prune(self, now: float) -> None:
        """Drop buckets that are full again (idle long enough to forget)."""
        for k in [k for k, b in self._buckets.items() if b.tat <= now]:
            del self._buckets[k]

    def __len__(self) -> int:
        return len(self._buckets)
