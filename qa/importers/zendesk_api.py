"""A small client of Zendesk's Incremental Export API (cursor-based) and ticket comments, on the
standard library (urllib): no Flask, no database, no environment (the caller passes the base URL
and credentials from the app's configuration).

    GET /api/v2/incremental/tickets/cursor.json?start_time=T | ?cursor=C   (include=users,groups)
        -> {"tickets", "users", "groups", "after_cursor", "end_of_stream"}
    GET /api/v2/tickets/{id}/comments.json?include=users   -> {"comments", "users", "next_page"}

Rate limits: a 429 waits its Retry-After (seconds; capped) and tries again; a 5xx or a network
error backs off exponentially; both at most `max_retries` times, then ZendeskError. Other 4xx
fail at once. Credentials go only to the configured host: a `next_page` URL elsewhere is
followed by its path on the configured host.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ZendeskClient", "ZendeskError", "base_url_for"]

TICKETS = "/api/v2/incremental/tickets/cursor.json"
MAX_WAIT_SECONDS = 300.0  # a longer Retry-After is cut to this
DEFAULT_WAIT_SECONDS = 60.0  # a 429 without a readable Retry-After


class ZendeskError(RuntimeError):
    """The API refused or kept failing; the message says what to check."""


def base_url_for(subdomain: str | None, override: str | None = None) -> str:
    """https://<subdomain>.zendesk.com, or the override (tests, proxies)."""
    if override:
        return override.rstrip("/")
    if not subdomain:
        raise ZendeskError("no Zendesk subdomain: set QA_ZENDESK_SUBDOMAIN")
    return f"https://{subdomain}.zendesk.com"


def _retry_after(value: str | None) -> float:
    try:
        seconds = float(value) if value is not None else DEFAULT_WAIT_SECONDS
    except ValueError:
        seconds = DEFAULT_WAIT_SECONDS
    return min(max(seconds, 0.0), MAX_WAIT_SECONDS)


@dataclass
class ZendeskClient:
    """GETs JSON from one Zendesk account, waiting out rate limits."""

    base_url: str
    email: str
    token: str
    sleep: Callable[[float], None] = time.sleep
    max_retries: int = 5
    timeout: float = 30.0
    on_wait: Callable[[float, str], None] | None = None  # (seconds, why): e.g. a CLI message
    requests: int = field(default=0, init=False)
    _failures: int = field(default=0, init=False)  # 5xx/network failures in a row

    def _url(self, path_or_url: str, params: dict[str, Any] | None = None) -> str:
        parsed = urllib.parse.urlsplit(path_or_url)
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        url = f"{self.base_url.rstrip('/')}{path}"
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        return url

    def _headers(self) -> dict[str, str]:
        secret = base64.b64encode(f"{self.email}/token:{self.token}".encode()).decode()
        return {"Authorization": f"Basic {secret}", "Accept": "application/json"}

    def get(self, path_or_url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON object at a path (or a URL's path) of the account."""
        url = self._url(path_or_url, params)
        for attempt in range(self.max_retries + 1):
            wait, why = self._attempt(url)
            if wait is None:
                return why  # type: ignore[return-value]
            if attempt == self.max_retries:
                break
            if self.on_wait is not None:
                self.on_wait(wait, str(why))
            self.sleep(wait)
        raise ZendeskError(f"{url}: still failing after {self.max_retries} retries ({why})")

    def _attempt(self, url: str) -> tuple[float | None, Any]:
        """(None, the JSON) on success, or (seconds to wait, why) for a retryable failure."""
        self.requests += 1
        request = urllib.request.Request(url, headers=self._headers())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                return _retry_after(exc.headers.get("Retry-After")), "429 rate limited"
            if exc.code >= 500:
                return self._backoff(), f"{exc.code} {exc.reason}"
            hint = (
                " (check QA_ZENDESK_EMAIL and QA_ZENDESK_TOKEN)" if exc.code in (401, 403) else ""
            )
            raise ZendeskError(f"{url}: {exc.code} {exc.reason}{hint}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            return self._backoff(), f"network error: {getattr(exc, 'reason', exc)}"
        self._failures = 0
        try:
            data = json.loads(body)
        except ValueError:
            raise ZendeskError(f"{url}: the answer is not JSON") from None
        if not isinstance(data, dict):
            raise ZendeskError(f"{url}: the answer is not a JSON object")
        return None, data

    def _backoff(self) -> float:
        self._failures += 1
        return float(min(2 ** (self._failures - 1), 60))

    def ticket_pages(
        self, *, cursor: str | None = None, start_time: int = 0
    ) -> Iterator[dict[str, Any]]:
        """The incremental export's pages from a cursor (or from `start_time` without one),
        until end_of_stream; each page says its `after_cursor`."""
        params: dict[str, Any] = {"cursor": cursor} if cursor else {"start_time": start_time}
        while True:
            page = self.get(TICKETS, {**params, "include": "users,groups"})
            yield page
            after = page.get("after_cursor")
            if page.get("end_of_stream") or not after:
                return
            params = {"cursor": after}

    def comments(self, ticket_id: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(comments, their users) of one ticket, every page of them."""
        comments: list[dict[str, Any]] = []
        users: list[dict[str, Any]] = []
        url: str | None = f"/api/v2/tickets/{urllib.parse.quote(str(ticket_id))}/comments.json"
        params: dict[str, Any] | None = {"include": "users"}
        while url:
            page = self.get(url, params)
            comments.extend(c for c in page.get("comments") or [] if isinstance(c, dict))
            users.extend(u for u in page.get("users") or [] if isinstance(u, dict))
            url, params = page.get("next_page"), None
        return comments, users
