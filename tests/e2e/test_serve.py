"""`itemhub serve` as a real process on a free loopback port: on a freshly migrated database,
and on the in-memory adapter with no database at all."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.processes import itemhub, running_server


@pytest.fixture
def server(fresh_database: str, tmp_path: Path) -> Iterator[str]:
    env = {"ITEMHUB_DATABASE_URL": fresh_database, "ITEMHUB_BCRYPT_ROUNDS": "4"}
    migrated = itemhub("migrate", cwd=tmp_path, env=env)
    assert migrated.returncode == 0, migrated.stderr
    with running_server(env, tmp_path) as base_url:
        yield base_url


def test_register_login_create_list_delete(server: str) -> None:
    register_login_create_list_delete(server)


def test_serve_runs_on_the_in_memory_adapter_without_a_database(tmp_path: Path) -> None:
    env = {"ITEMHUB_DATABASE_URL": "memory://", "ITEMHUB_BCRYPT_ROUNDS": "4"}
    with running_server(env, tmp_path) as base_url:
        register_login_create_list_delete(base_url)
    assert not list(tmp_path.glob("*.db")), "the in-memory adapter wrote a database file"


@pytest.mark.parametrize(
    ("url", "workers", "says"),
    [
        ("mongodb://127.0.0.1/itemhub", "1", "no database adapter for 'mongodb' URLs"),
        ("memory://", "2", "memory:// would give each worker a database of its own"),
    ],
)
def test_a_database_url_that_cannot_work_stops_serve_in_one_line(
    tmp_path: Path, url: str, workers: str, says: str
) -> None:
    result = itemhub("serve", "--workers", workers, cwd=tmp_path, env={"ITEMHUB_DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert says in result.stderr


def register_login_create_list_delete(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
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


def test_metrics_add_up_over_workers_and_logs_are_json(tmp_path: Path) -> None:
    """Two workers each count their own requests; `/metrics`, whichever answers, shows the
    sum. The metrics' directory goes when serve ends. Every log line is one JSON object."""
    env = {
        "ITEMHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'metrics.db'}",
        "ITEMHUB_LOG_FORMAT": "json",
    }
    assert itemhub("migrate", cwd=tmp_path, env=env).returncode == 0
    scratch = Path(tempfile.gettempdir())
    before = set(scratch.glob("itemhub-metrics-*"))
    log = tmp_path / "serve.log"
    with running_server(env, tmp_path, workers=2, output=log) as base_url:
        during = set(scratch.glob("itemhub-metrics-*")) - before
        assert len(during) == 1
        with httpx.Client(base_url=base_url) as client:
            for _ in range(40):
                assert client.get("/health", headers={"X-Request-ID": "probe"}).status_code == 200
            counts = []
            for _ in range(6):  # scrapes land on either worker
                text = client.get("/metrics").text
                [count] = [
                    sample.value
                    for family in text_string_to_metric_families(text)
                    for sample in family.samples
                    if sample.name == "itemhub_http_requests_total"
                    and sample.labels["route"] == "/health"
                ]
                counts.append(count)
    assert counts == [41.0] * 6  # ours, and the start-up probe's

    assert set(scratch.glob("itemhub-metrics-*")) - before == set()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "itemhub.access"]
    assert len([line for line in access if line["request_id"] == "probe"]) == 40
    assert all(line["path"] == "/health" for line in access if line["request_id"] == "probe")
    assert any(line["logger"].startswith("uvicorn") for line in lines)
