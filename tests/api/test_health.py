"""The liveness endpoint, through the ASGI app."""

from __future__ import annotations

import httpx

from entrypoints.http.app import create_app


async def test_health_answers_ok() -> None:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://itemhub.test") as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
