"""The operator's commands as real processes: create-superuser, seed, purge, serve's refusal."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.processes import itemhub


@pytest.fixture
def migrated(tmp_path: Path) -> dict[str, str]:
    env = {
        "ITEMHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "ITEMHUB_BCRYPT_ROUNDS": "4",
    }
    assert itemhub("migrate", cwd=tmp_path, env=env).returncode == 0
    return env


def rows(tmp_path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        return connection.execute(query).fetchall()


def test_create_superuser_creates_then_promotes_and_refuses_a_mismatch(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    env = migrated | {"ITEMHUB_SUPERUSER_PASSWORD": "a long admin password"}
    created = itemhub("create-superuser", "Root@Example.com", "root", cwd=tmp_path, env=env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("Created superuser root <root@example.com>")
    again = itemhub("create-superuser", "root@example.com", "ROOT", cwd=tmp_path, env=env)
    assert again.stdout.startswith("Promoted superuser")
    mismatch = itemhub("create-superuser", "root@example.com", "someone", cwd=tmp_path, env=env)
    assert mismatch.returncode == 1
    assert "registered with the username root" in mismatch.stderr
    assert rows(tmp_path, "select username, is_superuser from users") == [("root", 1)]
    assert "a long admin password" not in created.stdout + created.stderr


def test_create_superuser_refuses_a_weak_password(migrated: dict[str, str], tmp_path: Path) -> None:
    env = migrated | {"ITEMHUB_SUPERUSER_PASSWORD": "short"}
    result = itemhub("create-superuser", "root@example.com", "root", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "at least 8 characters" in result.stderr


def test_seed_adds_users_and_items(migrated: dict[str, str], tmp_path: Path) -> None:
    result = itemhub("seed", "--users", "3", "--items", "250", cwd=tmp_path, env=migrated)
    assert result.returncode == 0, result.stderr
    assert "Added 3 users and 250 items" in result.stdout
    assert rows(tmp_path, "select count(*) from users") == [(3,)]
    assert rows(tmp_path, "select count(distinct user_id), count(*) from items") == [(3, 250)]


def test_purge_deletes_ended_and_expired_sessions_with_their_tokens(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        connection.execute(
            "insert into users (email, username, hashed_password, is_active, is_superuser,"
            " created_at, updated_at) values ('a@example.com', 'alice', 'x', 1, 0,"
            " '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')"
        )
        for session_id, idle_expiry, ended in (
            ("L" * 22, "2999-01-01 00:00:00.000000", None),  # live
            ("E" * 22, "2999-01-01 00:00:00.000000", "2026-01-02 00:00:00.000000"),  # ended
            ("X" * 22, "2026-01-15 00:00:00.000000", None),  # expired
        ):
            connection.execute(
                "insert into sessions (id, user_id, created_at, last_used_at, idle_expires_at,"
                " absolute_expires_at, ended_at) values (?, 1, '2026-01-01 00:00:00.000000',"
                " '2026-01-01 00:00:00.000000', ?, '2999-01-01 00:00:00.000000', ?)",
                (session_id, idle_expiry, ended),
            )
            connection.execute(
                "insert into refresh_tokens (digest, session_id, issued_at)"
                " values (?, ?, '2026-01-01 00:00:00.000000')",
                (session_id[0] * 64, session_id),
            )
    result = itemhub("purge", cwd=tmp_path, env=migrated)
    assert result.returncode == 0, result.stderr
    assert "Purged 2 ended or expired sessions" in result.stdout
    assert rows(tmp_path, "select id from sessions") == [("L" * 22,)]
    assert rows(tmp_path, "select session_id from refresh_tokens") == [("L" * 22,)]
    again = itemhub("purge", cwd=tmp_path, env=migrated)
    assert "Purged 0 ended or expired sessions" in again.stdout


def test_production_without_a_secret_refuses_to_serve_in_one_line(tmp_path: Path) -> None:
    result = itemhub(
        "serve", cwd=tmp_path, env={"ITEMHUB_ENV": "production", "ITEMHUB_SECRET_KEY": ""}
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "ITEMHUB_SECRET_KEY of at least 32 bytes" in result.stderr


def test_serving_does_not_load_the_migration_tooling() -> None:
    """Alembic and Mako cost each worker ~13 MB; only `itemhub migrate` needs them."""
    probe = (
        "import sys, entrypoints.cli, entrypoints.http.app; "
        "print(sorted(name for name in ('alembic', 'mako') if name in sys.modules))"
    )
    loaded = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
