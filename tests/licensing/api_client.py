"""A JSON client for /api/v1 acting as a user through an API token (one role, as machine clients do)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client


@dataclass
class Api:
    client: Client
    token: str

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", **self._headers()
        )

    def put(self, path: str, body: Any = None) -> Any:
        return self.client.put(
            f"/api/v1{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(),
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}", **self._headers())

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"/api/v1{path}", data, **self._headers())


def api_for(user: Any) -> Api:
    from attkit.accounts.services import create_token

    role = sorted(user.roles())[0]
    _token, text = create_token(user=user, role=role, name="tests", by=user)
    return Api(Client(), text)
