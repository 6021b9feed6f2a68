"""Reads the pages share: a centre's names and zone, checked against the caller's centres."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from hall import services
from hall.domain.access import Principal
from queueing.ports import CentreInfo
from queueing.services import QueueService


@dataclass(frozen=True, slots=True)
class CentreView:
    """What a page shows of a centre: both names, its code, rules and time zone."""

    info: CentreInfo
    name_en: str

    @property
    def code(self) -> str:
        return self.info.code

    @property
    def zone(self) -> ZoneInfo:
        return self.info.zone

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.info.name_zh


async def centre_view(
    db_session: AsyncSession, queue: QueueService, principal: Principal, code: str, *, check_scope: bool
) -> CentreView:
    """Return the centre ``code``; with ``check_scope`` a caller from another centre is refused (403).

    Pages opened with a ticket's public code do not check: the unguessable code is the visitor's right to see it.
    """
    model = await services.CentreService(db_session, principal).centre_by_code(code, check_scope=check_scope)
    return CentreView(info=await queue.directory.centre(model.code), name_en=model.name_en)
