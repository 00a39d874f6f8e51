"""OAuth token refresh through a form-encoded POST, shared by the platforms that use it.

The token endpoint takes its secrets (refresh token, client credentials) in a form body, which
HttpClient would record; :func:`post_token_form` sends it through the session directly and
records the exchange with only the non-secret form fields and the answer's tokens redacted.
"""

from __future__ import annotations

import time as _time
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

import requests

from .base import REDACTED, HttpClient, PlatformError, RawResponse, TokenGrant, redact

TOKEN_FIELDS = frozenset({"access_token", "refresh_token", "id_token"})


def post_token_form(
    http: HttpClient,
    url: str,
    endpoint: str,
    *,
    form: Mapping[str, str],
    secret_form: Mapping[str, str],
    who: str,
    secret_headers: Mapping[str, str] | None = None,
    client_hint: str = "check the OAuth client id and secret",
    grant_hint: str = "the refresh token is expired or revoked: reconnect the account",
) -> dict[str, Any]:
    """POST an ``application/x-www-form-urlencoded`` body to the OAuth token endpoint.

    HttpClient records JSON bodies, so the secrets (refresh token, client credentials) go
    through the session directly; the exchange is still recorded, with only ``form`` as its
    parameters and the tokens of the answer redacted. One attempt: a failed refresh is retried
    by the next run.
    """
    started = _time.perf_counter()
    fetched_at = datetime.now(timezone.utc)
    status: int | None = None
    payload: Any = None
    error: str | None = None
    try:
        resp = http.session.post(
            url,
            data={**form, **secret_form},
            headers={"Accept": "application/json", **(secret_headers or {})},
            timeout=http.timeout,
        )
        status = resp.status_code
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if not 200 <= status < 300:
            error = f"HTTP {status}"
        elif not isinstance(payload, dict):
            error = "response body is not a JSON object"
    except requests.Timeout:
        error = f"timed out after {http.timeout:g} s"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: connection failed"
    recorded = (
        {k: (REDACTED if k in TOKEN_FIELDS else v) for k, v in payload.items()} if isinstance(payload, dict) else None
    )
    http.responses.append(
        RawResponse(
            endpoint=endpoint,
            request_params=redact(form),
            page_index=0,
            attempt=1,
            status_code=status,
            payload=recorded,
            error=error,
            latency_ms=int((_time.perf_counter() - started) * 1000),
            fetched_at=fetched_at,
        )
    )
    if error is None:
        return payload
    code = payload.get("error") if isinstance(payload, dict) else None
    detail = payload.get("error_description") if isinstance(payload, dict) else None
    described = " ".join(str(x)[:200] for x in (code, detail) if isinstance(x, str))
    if code in ("invalid_grant", "invalid_request"):
        advice = grant_hint
    elif code in ("invalid_client", "unauthorized_client"):
        advice = f"the OAuth client was rejected: {client_hint}"
    else:
        advice = "try again later or reconnect the account"
    raise PlatformError(
        f"{who}: token refresh failed ({error}{': ' + described if described else ''}): {advice}",
        status_code=status,
        endpoint=endpoint,
    )


def grant_from(body: dict[str, Any], who: str, endpoint: str = "oauth2.token") -> TokenGrant:
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise PlatformError(f"{who}: token refresh answered without an access_token", endpoint=endpoint)
    expires_in = body.get("expires_in")
    expires_at = None
    if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) and expires_in > 0:
        expires_at = datetime.now(timezone.utc) + timedelta(seconds=float(expires_in))
    refresh = body.get("refresh_token")
    return TokenGrant(access_token=token, expires_at=expires_at, refresh_token=refresh if isinstance(refresh, str) and refresh else None)
