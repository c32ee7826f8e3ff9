"""Rate limits by client address (Flask-Limiter): guessing is slowed without giving anyone the
power to lock someone else out.

* Signing in: every attempt counts against the client address (:data:`SIGN_IN_PER_ADDRESS`),
  and failed attempts against the pair of address and user name
  (:data:`SIGN_IN_FAILURES_PER_NAME`). A stranger who guesses ``admin``'s password slows only
  their own tries; ``admin`` signs in from anywhere else as always. Windows move, so the counts
  decay by themselves.
* A password change: failed tries of the current password per address and account.
* The API: requests that fail to authenticate, per address (guessing tokens).

The counts live in ``SIGNAGE_RATELIMIT_STORAGE`` (default: each process's memory, which is
right for one process; give several processes or hosts a shared store such as
``redis://host:6379``). Behind a reverse proxy, set ``SIGNAGE_PROXIES`` to the number of proxies
in front, so the client's own address is the one counted.
"""

from __future__ import annotations

import hashlib
import time

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

SIGN_IN_PER_ADDRESS = "30 per minute;300 per hour"
SIGN_IN_FAILURES_PER_NAME = "5 per 15 minutes"
PASSWORD_FAILURES = "5 per 15 minutes"
API_AUTH_FAILURES = "60 per minute"

limiter = Limiter(key_func=get_remote_address, headers_enabled=False)


def init_app(app: Flask) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = app.config["SIGNAGE_RATELIMIT_STORAGE"]
    app.config["RATELIMIT_ENABLED"] = app.config["SIGNAGE_RATE_LIMITS"]
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "signage")
    limiter.init_app(app)


def failed(response: Response) -> bool:
    """Whether an answer refused the credentials it was given."""
    return response.status_code in (401, 403, 422)


def address_and_name() -> str:
    """The client address with the user name a sign-in names."""
    name = request.form.get("username", "").strip().lower()[:64]
    return f"{get_remote_address()}|{name}"


def address_and_account() -> str:
    """The client address with the account acting: the signed-in user, or the API token."""
    if current_user.is_authenticated:
        who = f"user:{current_user.get_id()}"
    else:
        token = request.headers.get("Authorization", "")
        who = "token:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return f"{get_remote_address()}|{who}"


def retry_after_s() -> int:
    """Seconds until the limit that was just hit lets the client try again."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()) + 1)
