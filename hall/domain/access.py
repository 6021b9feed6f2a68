"""Who is acting: the principal of a request, with the centres it may act on."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from hall.domain.people import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request. ``role`` is ``None`` for an anonymous visitor.

    ``centre_scope`` is the set of centres the principal may act on: ``None`` means every centre (admin); a
    manager gets their centre and every centre below it; staff and devices get their own centre.
    """

    role: Role | None = None
    name: str = "anonymous"
    user_id: UUID | None = None
    device_id: UUID | None = None
    staff_id: UUID | None = None
    centre_id: UUID | None = None
    centre_scope: frozenset[UUID] | None = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None

    def may_access_centre(self, centre_id: UUID) -> bool:
        return self.centre_scope is None or centre_id in self.centre_scope


ANONYMOUS = Principal()
