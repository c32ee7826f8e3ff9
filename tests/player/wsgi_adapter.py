"""A requests transport adapter that answers from a WSGI app in-process: the player's client
talks to a real controller app without a network."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import BaseAdapter
from werkzeug.test import Client


class WSGIAdapter(BaseAdapter):
    def __init__(self, app: Any) -> None:
        super().__init__()
        self.client = Client(app)
        self.down = False  # set to simulate the controller being unreachable

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.down:
            raise requests.ConnectionError("controller stopped (test)")
        url = request.url or ""
        path = url.split("://", 1)[1].split("/", 1)[1]
        answer = self.client.open(
            "/" + path, method=request.method, headers=dict(request.headers), data=request.body
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers.update(answer.headers)
        response._content = answer.get_data()
        response.url = url
        response.request = request
        return response

    def close(self) -> None:
        pass


def session_for(app: Any) -> tuple[requests.Session, WSGIAdapter]:
    session = requests.Session()
    adapter = WSGIAdapter(app)
    session.mount("http://", adapter)
    return session, adapter
