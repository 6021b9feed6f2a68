"""The shared declarative base, metadata and column types for every context's models."""

from __future__ import annotations

from advanced_alchemy.base import DefaultBase, UUIDv7AuditBase, orm_registry
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, BigInteger, Integer
from sqlalchemy.dialects.postgresql import JSONB

# advanced-alchemy 1.12's JsonB calls a helper that SQLAlchemy 2.1 removed (on its Oracle variant), so the
# portable JSON type is built here from SQLAlchemy's own types: JSONB on PostgreSQL, JSON text on SQLite.
JsonB = JSON().with_variant(JSONB(), "postgresql")

metadata = orm_registry.metadata

# History rows (ticket events, window state changes) get a monotonically increasing integer key: live-event
# streams use it as the event id, so a reconnecting client resumes "after event N". BIGSERIAL on PostgreSQL;
# on SQLite only INTEGER PRIMARY KEY is the rowid alias that increments.
EventId = BigInteger().with_variant(Integer(), "sqlite")

__all__ = ["GUID", "DateTimeUTC", "DefaultBase", "EventId", "JsonB", "UUIDv7AuditBase", "metadata", "orm_registry"]
