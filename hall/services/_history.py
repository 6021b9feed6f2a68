"""The change history: who changed what, when, old → new."""

from __future__ import annotations

from sqlalchemy import select

from hall import schemas as s
from hall.models import (
    ChangeLogModel,
)
from hall.services._base import BaseService, _count, _page_bounds


class HistoryService(BaseService):
    async def search(
        self, *, entity: str | None, key: str | None, limit: int, offset: int
    ) -> tuple[list[s.ChangeRead], int]:
        limit, offset = _page_bounds(limit, offset)
        statement = select(ChangeLogModel)
        if entity:
            statement = statement.where(ChangeLogModel.entity == entity)
        if key:
            statement = statement.where(ChangeLogModel.entity_key == key)
        if self.principal.centre_scope is not None:
            statement = statement.where(ChangeLogModel.centre_id.in_(self.principal.centre_scope))
        total = await _count(self.session, statement)
        rows = (
            await self.session.scalars(
                statement.order_by(ChangeLogModel.created_at.desc(), ChangeLogModel.id.desc())
                .limit(limit)
                .offset(offset)
            )
        ).all()
        return [
            s.ChangeRead(
                entity=r.entity,
                entity_key=r.entity_key,
                action=r.action,
                actor=r.actor,
                at=r.created_at,
                changes=r.changes,
                note=r.note,
            )
            for r in rows
        ], total
