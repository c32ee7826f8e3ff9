"""Pages: sign in and out, one's own password and API tokens, and users (admin)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_babel import gettext
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from signage.accounts import passwords, services, sessions
from signage.accounts.models import Role
from signage.errors import Conflict, InvalidInput, PermissionDenied, ServiceError
from signage.limits import (
    PASSWORD_FAILURES,
    SIGN_IN_FAILURES_PER_NAME,
    SIGN_IN_PER_ADDRESS,
    address_and_account,
    address_and_name,
    failed,
    limiter,
)
from signage.web.pages import (
    SESSION_SECRET,
    client_address,
    current_session,
    done,
    message,
    now,
    safe_next,
    session,
    signed_in,
    text,
)

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_PER_ADDRESS, methods=["POST"])
@limiter.limit(
    SIGN_IN_FAILURES_PER_NAME, methods=["POST"], key_func=address_and_name, deduct_when=failed
)
def login() -> Any:
    next_page = safe_next(request.values.get("next"), url_for("web.home.dashboard"))
    if request.method == "GET":
        return render_template("accounts/login.html", next=next_page)
    db = session()
    try:
        user = services.authenticate(
            db, username=text("username"), password=request.form.get("password", ""), now=now()
        )
    except ServiceError as exc:
        # The failure is counted (and audited) even though the answer is an error.
        db.commit()
        page = render_template(
            "accounts/login.html", next=next_page, error=message(exc), username=text("username")
        )
        return page, exc.status
    _fresh_session()
    _, secret = sessions.start_session(
        db,
        user,
        now=now(),
        address=client_address(),
        user_agent=request.headers.get("User-Agent", ""),
    )
    flask_session[SESSION_SECRET] = secret
    login_user(user)
    return redirect(next_page, 303)


def _fresh_session() -> None:
    """Start a new session (and CSRF token) at sign-in and sign-out, keeping the language."""
    lang = flask_session.get("lang")
    flask_session.clear()
    if lang is not None:
        flask_session["lang"] = lang


@bp.post("/logout")
def logout() -> Response:
    row = current_session()
    if row is not None:
        sessions.end_session(session(), row, reason=sessions.EndReason.SIGNED_OUT, now=now())
    logout_user()
    _fresh_session()
    return redirect(url_for("web.accounts.login"), 303)


def _account_page(status: int = 200, **context: Any) -> tuple[str, int]:
    user = signed_in()
    db = session()
    page = render_template(
        "accounts/account.html",
        user=user,
        tokens=services.list_tokens(db, user),
        sessions=sessions.live_sessions(db, user),
        this_session=current_session(),
        **context,
    )
    return page, status


@bp.get("/account")
def account() -> Any:
    return _account_page()


@bp.post("/account/password")
@limiter.limit(PASSWORD_FAILURES, key_func=address_and_account, deduct_when=failed)
def change_password() -> Any:
    user = signed_in()
    if request.form.get("new_password", "") != request.form.get("repeat_password", ""):
        return _account_page(422, password_error=gettext("The two new passwords differ."))
    db = session()
    try:
        revoked = services.change_password(
            db,
            user,
            old_password=request.form.get("old_password", ""),
            new_password=request.form.get("new_password", ""),
            now=now(),
            revoke_tokens=request.form.get("revoke_tokens") == "yes",
            keep=current_session(),
        )
    except PermissionDenied as exc:
        db.commit()  # the wrong guess stays on record
        return _account_page(422, password_error=message(exc))
    except InvalidInput as exc:
        return _account_page(422, password_error=message(exc))
    return _account_page(password_changed=True, tokens_revoked=revoked)


@bp.post("/account/sessions/<int:session_id>/end")
def end_session(session_id: int) -> Response:
    sessions.end_own_session(session(), signed_in(), session_id, now=now())
    done(gettext("That sign-in has ended: the browser that used it must sign in again."))
    return redirect(url_for(".account"), 303)


@bp.post("/account/tokens")
def create_token() -> Any:
    user = signed_in()
    try:
        token, secret = services.create_token(session(), user, name=text("name"), now=now())
    except InvalidInput as exc:
        return _account_page(422, token_error=message(exc))
    # Shown on this page once; never stored anywhere it could be shown again.
    return _account_page(201, new_token=secret, new_token_name=token.name)


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    token = services.revoke_token(session(), signed_in(), token_id, now=now())
    done(
        gettext(
            "The token %(name)s is revoked: programs that use it are refused from now on.",
            name=token.name,
        )
    )
    return redirect(url_for(".account"), 303)


# --- users (admin) ---------------------------------------------------------------------------


def _users_page(status: int = 200, **context: Any) -> tuple[str, int]:
    users = services.list_users(session(), signed_in())
    return render_template("accounts/users.html", users=users, roles=list(Role), **context), status


@bp.get("/users")
def users() -> Any:
    return _users_page()


@bp.post("/users")
def add_user() -> Any:
    actor = signed_in()
    try:
        user, password = services.create_user(
            session(),
            actor,
            username=text("username"),
            display_name=text("display_name") or None,
            roles=request.form.getlist("roles"),
            now=now(),
        )
    except (InvalidInput, Conflict) as exc:
        return _users_page(422, error=message(exc), field=exc.field)
    return _users_page(201, new_user=user.username, new_password=password)


@bp.post("/users/<username>/sessions/end")
def end_user_sessions(username: str) -> Any:
    actor = signed_in()
    db = session()
    ended = sessions.end_sessions_of(db, actor, services.get_user(db, username), now=now())
    return _users_page(ended_sessions=ended, ended_user=username)


@bp.post("/users/<username>")
def edit_user(username: str) -> Any:
    actor = signed_in()
    try:
        services.update_user(
            session(),
            actor,
            username,
            roles=request.form.getlist("roles"),
            active=request.form.get("active") == "on",
            now=now(),
        )
    except (InvalidInput, Conflict) as exc:
        return _users_page(422, error=message(exc), field=exc.field)
    done(
        gettext("User %(name)s is saved; the new roles apply from their next page.", name=username)
    )
    return redirect(url_for(".users"), 303)


@bp.post("/users/<username>/password")
def reset_password(username: str) -> Any:
    """An admin gives a user a new password: shown once on the page, every sign-in ended."""
    password = passwords.reset_password(session(), signed_in(), username, now=now())
    return _users_page(reset_user=username, reset_password=password)
