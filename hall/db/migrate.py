"""Run the Alembic migrations of ``hall/db/migrations`` against a database URL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Build the Alembic configuration in code (no alembic.ini to keep in step)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s_%%(rev)s")
    config.set_main_option("timezone", "UTC")
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate the database down to ``revision``."""
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> None:
    """Print the database's current revision."""
    command.current(alembic_config(database_url), verbose=True)


def make_revision(database_url: str, message: str) -> None:
    """Autogenerate a new revision from the difference between the models and the database."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
