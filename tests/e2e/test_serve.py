"""`itemhub serve` as a real process on a free loopback port, on a freshly migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import itemhub, running_server


@pytest.fixture
def server(fresh_database: str, tmp_path: Path) -> Iterator[str]:
    env = {"ITEMHUB_DATABASE_URL": fresh_database, "ITEMHUB_BCRYPT_ROUNDS": "4"}
    migrated = itemhub("migrate", cwd=tmp_path, env=env)
    assert migrated.returncode == 0, migrated.stderr
    with running_server(env, tmp_path) as base_url:
        yield base_url


def test_register_login_create_list_delete(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        assert client.get("/health/ready").json() == {"status": "ok"}
        assert "swagger" in client.get("/docs").text.lower()
        account = {
            "email": "e2e@example.com",
            "username": "e2e_user",
            "password": "an e2e password",
        }
        registered = client.post("/api/v1/users", json=account)
        assert registered.status_code == 201, registered.text
        login = client.post(
            "/api/v1/auth/token", data={"username": "e2e_user", "password": "an e2e password"}
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        created = client.post(
            "/api/v1/items", json={"title": "E2E lamp", "price": 12.5}, headers=headers
        )
        assert created.status_code == 201, created.text
        item = created.json()
        listed = client.get("/api/v1/items", params={"q": "e2e"}).json()
        assert [row["id"] for row in listed["data"]] == [item["id"]]
        assert listed["data"][0]["owner"]["username"] == "e2e_user"
        deleted = client.delete(f"/api/v1/items/{item['id']}", headers=headers)
        assert deleted.status_code == 204
        assert client.get(f"/api/v1/items/{item['id']}").status_code == 404
        assert client.get("/api/v1/items").json()["data"] == []
