"""`hall seed demo` is idempotent: a second run over the seeded database changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hall.db.base import metadata
from hall.db.engine import make_engine, make_session_maker
from hall.seed import seed_demo

pytestmark = pytest.mark.integration


async def _counts(engine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            t.name: int((await conn.execute(select(func.count()).select_from(t))).scalar_one())
            for t in metadata.sorted_tables
        }


async def test_seeding_the_demo_twice_changes_nothing(db) -> None:
    engine = make_engine(db.url)
    try:
        before = await _counts(engine)
        async with make_session_maker(engine)() as session, session.begin():
            report = await seed_demo(session)
        assert report.created == {}
        assert await _counts(engine) == before
    finally:
        await engine.dispose()


async def test_the_demo_is_a_realistic_county_centre(client, headers) -> None:
    centres = (await client.get("/api/v1/centres", headers=headers("admin"))).json()
    assert {c["code"]: c["level"] for c in centres} == {"SFX": "county", "SFX-QS": "township", "SFX-LH": "township"}
    windows = (await client.get("/api/v1/centres/SFX/windows", headers=headers("manager"))).json()
    assert {w["type"] for w in windows} == {
        "comprehensive_all", "comprehensive_domain", "specialized", "priority", "guide_desk", "result_pickup"
    }  # fmt: skip
    staff = (await client.get("/api/v1/centres/SFX/staff?limit=100", headers=headers("manager"))).json()
    levels = sorted({s["skillLevel"] for s in staff["items"]})
    assert levels == [2, 3, 4, 5]
