"""A small JSON-RPC client for the index: one persistent HTTP connection, retries with backoff.

Transient faults (HTTP 429 and 5xx, timeouts, refused or dropped connections, a node's own
"rate limit" answers) are retried with exponential backoff and jitter, a bounded number of times;
then one line says what failed. A provider's refusal of an ``eth_getLogs`` range or result count
is not retried here: it raises :class:`RangeRefused`, and the indexer halves the range.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import time
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from stocksuite.config.errors import StockSuiteError


class EventIndexError(StockSuiteError):
    """Base of the event index's errors."""


class NodeError(EventIndexError):
    """The node could not be reached, or refused a request, after the retries."""


class RangeRefused(NodeError):
    """The provider refused an ``eth_getLogs`` block range or its result count: ask for less."""


# Substrings of the common providers' answers to a too-wide eth_getLogs (geth, erigon, nitro,
# Alchemy, Infura, QuickNode, Ankr, drpc, reth, anvil): lower-cased, matched in the message.
RANGE_MESSAGES = (
    "query returned more than", "block range", "range too large", "range is too large", "too many results",
    "limit exceeded", "exceed maximum block range", "response size", "response is too big", "log response size",
    "returned more than", "query timeout exceeded", "too many logs", "max results", "range limit",
)  # fmt: skip
RANGE_CODES = (-32005, -32602, -32614)
RATE_MESSAGES = ("rate limit", "too many requests", "capacity exceeded", "try again", "temporarily unavailable")
TRANSIENT_HTTP = (408, 425, 429, 500, 502, 503, 504)


def _refuses_range(method: str, error: dict[str, Any]) -> bool:
    message = str(error.get("message", "")).lower()
    if method != "eth_getLogs":
        return False
    return any(text in message for text in RANGE_MESSAGES) or (
        error.get("code") in RANGE_CODES and not any(text in message for text in RATE_MESSAGES)
    )


try:  # msgspec (pinned, an ape dependency) parses a large eth_getLogs answer several times faster
    from msgspec import DecodeError as _DecodeError
    from msgspec.json import decode as _msgspec_decode

    def _decode(payload: bytes) -> Any:
        try:
            return _msgspec_decode(payload)
        except _DecodeError as err:
            raise ValueError(str(err)) from err

except ImportError:  # pragma: no cover
    _decode = json.loads


class _Transient(Exception):
    """One attempt failed in a way worth retrying."""


class HttpNode:
    """JSON-RPC over one kept-alive HTTP(S) connection to ``url``.

    ``attempts`` tries per request (the first included), sleeping ``backoff * 2**n`` seconds
    (capped at ``max_backoff``, with up to 50 % jitter) between them.
    """

    def __init__(self, url: str, timeout: float = 30.0, attempts: int = 8, backoff: float = 0.05,
                 max_backoff: float = 5.0, sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise NodeError(f"the index reads the chain over HTTP(S) JSON-RPC: {url!r} is no http:// or https:// URL")
        self.url, self.timeout, self.attempts = url, timeout, attempts
        self.backoff, self.max_backoff, self._sleep = backoff, max_backoff, sleep
        self._scheme, self._host, self._port = parsed.scheme, parsed.hostname, parsed.port
        self._path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
        self._conn: http.client.HTTPConnection | None = None
        self._id = 0
        self.retries = 0  # transient failures retried, for tests and status

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            kind = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            self._conn = kind(self._host, self._port, timeout=self.timeout)
        return self._conn

    def _post(self, body: bytes) -> Any:
        try:
            conn = self._connection()
            conn.request("POST", self._path, body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException, socket.timeout) as err:
            self.close()
            raise _Transient(f"{type(err).__name__}: {err}") from err
        if response.status in TRANSIENT_HTTP:
            self.close()
            raise _Transient(f"HTTP {response.status}")
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        if response.status != 200:
            raise NodeError(f"{self.url} answered HTTP {response.status}: {payload[:200]!r}")
        try:
            return _decode(payload)
        except ValueError as err:
            self.close()
            raise _Transient(f"an unreadable answer ({err})") from err

    def _with_retries(self, what: str, attempt: Callable[[], Any]) -> Any:
        last = ""
        for number in range(self.attempts):
            try:
                return attempt()
            except _Transient as err:
                last = str(err)
                if number + 1 == self.attempts:
                    break
                self.retries += 1
                delay = min(self.max_backoff, self.backoff * 2**number)
                self._sleep(delay * (1 + random.random() / 2))  # noqa: S311 - jitter, not a secret
        raise NodeError(f"{what} at {self.url} failed {self.attempts} times (last: {last}): check the node or "
                        "the provider's limits, then run the command again")  # fmt: skip

    def _check(self, method: str, reply: Any) -> Any:
        if not isinstance(reply, dict):
            raise _Transient(f"an answer that is no JSON-RPC object: {str(reply)[:80]}")
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {"message": str(reply["error"])}
            message = str(error.get("message", error))
            if _refuses_range(method, error):
                raise RangeRefused(f"{method} refused: {message}")
            if error.get("code") == 429 or any(text in message.lower() for text in RATE_MESSAGES):
                raise _Transient(f"{method}: {message}")
            raise NodeError(f"{method} failed at {self.url}: {message}")
        return reply.get("result")

    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One call; its ``result``."""

        def attempt() -> Any:
            self._id += 1
            body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)})
            return self._check(method, self._post(body.encode()))

        return self._with_retries(method, attempt)

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several calls in one JSON-RPC batch; their results in order (a batch is retried whole)."""
        if not calls:
            return []

        def attempt() -> list[Any]:
            first = self._id + 1
            self._id += len(calls)
            body = [
                {"jsonrpc": "2.0", "id": first + i, "method": m, "params": list(p)} for i, (m, p) in enumerate(calls)
            ]
            replies = self._post(json.dumps(body).encode())
            if not isinstance(replies, list):
                return self._fail_batch(replies)
            by_id = {r.get("id"): r for r in replies if isinstance(r, dict)}
            if len(by_id) != len(calls):
                raise _Transient("a batch answer that misses calls")
            return [self._check(m, by_id.get(first + i)) for i, (m, _) in enumerate(calls)]

        return self._with_retries(f"a batch of {len(calls)} call(s) ({calls[0][0]}, ...)", attempt)

    def _fail_batch(self, reply: Any) -> list[Any]:
        self._check("batch", reply)  # an error object for the whole batch: raises
        raise _Transient("a batch answered with one object")


class ProviderNode:
    """The index's node interface over an ape provider (``make_request``), for a provider that is
    not reached over HTTP; retries are the provider's own."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider
        self.url = str(getattr(provider, "uri", None) or getattr(provider, "name", "the provider"))
        self.retries = 0

    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self.provider.make_request(method, list(params))
        except Exception as err:  # ape wraps the node's errors in its own types
            if method == "eth_getLogs" and _refuses_range(method, {"message": str(err)}):
                raise RangeRefused(f"{method} refused: {err}") from err
            raise NodeError(f"{method} failed at {self.url}: {err}") from err

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        return [self.request(method, params) for method, params in calls]

    def close(self) -> None:
        pass


def node_for(provider: Any) -> HttpNode | ProviderNode:
    """A node client for an ape provider: its own HTTP connection when the provider has an
    http(s) URI, else the provider itself."""
    uri = str(getattr(provider, "uri", "") or "")
    return HttpNode(uri) if uri.startswith(("http://", "https://")) else ProviderNode(provider)
