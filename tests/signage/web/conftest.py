"""Fixtures for the web pages: a browser-like client signed in as a user of given roles."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

PASSWORD = "a long enough password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class PageClient:
    """A test client that signs in through the login page and sends forms with their token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def get(self, path: str, **kw: Any) -> Any:
        response = self.client.get(path, **kw)
        found = (
            CSRF.search(response.get_data(as_text=True))
            if response.mimetype == "text/html"
            else None
        )
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        if not self.token:
            self.get("/login")
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kw)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        answer = self.post("/login", {"username": username, "password": password})
        if answer.status_code == 303:
            self.get("/account")  # signing in starts a new session with a new CSRF token
        return answer


@pytest.fixture
def pages(app: Any) -> Callable[..., PageClient]:
    """``pages(user)`` → a client signed in as ``user``; ``pages()`` → signed out."""

    def make(user: Any = None) -> PageClient:
        client = PageClient(app.test_client())
        if user is not None:
            answer = client.login(user.username)
            assert answer.status_code == 303, answer.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def person(make_user: Callable[..., Any]) -> Callable[..., Any]:
    """``person("author", ...)`` → a user with those roles and the known password."""

    def make(*roles: str) -> Any:
        return make_user(*roles, password=PASSWORD)

    return make
