from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


async def test_health_answers_without_sign_in(client) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_the_database(client) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_ready_is_503_when_the_database_is_unreachable(db, tmp_path) -> None:
    from litestar.testing import AsyncTestClient

    from hall.app import create_app

    broken = (
        "postgresql+asyncpg://nobody@127.0.0.1:1/none"
        if db.kind == "postgresql"
        else f"sqlite+aiosqlite:///{tmp_path}"  # a directory: SQLite cannot open it
    )
    async with AsyncTestClient(app=create_app(db.settings(database_url=broken))) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_metrics_are_exposed_for_prometheus(client, headers) -> None:
    await client.get("/api/v1/centres", headers=headers("manager"))
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "litestar_requests_total" in response.text


async def test_openapi_lists_every_operation_with_an_operation_id(client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    operations = [op for path in schema["paths"].values() for op in path.values() if isinstance(op, dict)]
    ids = [op.get("operationId") for op in operations]
    assert all(ids), "every operation needs a stable operationId"
    assert len(ids) == len(set(ids))
    assert {"ListCatalogueItems", "CreateCentre", "IssueDeviceToken", "ImportCalendarYear"} <= set(ids)


async def test_an_address_nothing_matches_gets_a_page_for_a_browser_and_a_problem_for_the_api(client) -> None:
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = await client.get("/no/such/page", headers=browser)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "页面不存在。" in page.text  # the page in the default language, with the way back
    assert 'href="/"' in page.text
    english = await client.get("/no/such/page", headers={**browser, "cookie": "hall_lang=en"})
    assert "This page does not exist." in english.text
    for path, accept in (("/api/v1/no-such-thing", browser["accept"]), ("/no/such/page", "*/*")):
        problem = await client.get(path, headers={"accept": accept})
        assert problem.status_code == 404, path
        assert problem.headers["content-type"].startswith("application/problem+json"), path
        assert problem.json()["status"] == 404
