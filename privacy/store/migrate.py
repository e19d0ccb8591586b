"""Schema migrations of the data database and the key store (Alembic).

Each database has its own history: migrations/data and migrations/keys, beside this module.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from privacy.errors import SchemaBehind

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PARTS = {"data": "the data database", "keys": "the key store"}


def alembic_config(part: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_locations", str(MIGRATIONS / part))
    config.set_main_option("part", part)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head(part: str, url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(part, url)).get_current_head()


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(part: str, engine: Engine) -> None:
    """Bring one database to the latest schema."""
    config = alembic_config(part, engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def check(part: str, engine: Engine) -> None:
    """Refuse a database that is behind the code, naming the command that fixes it."""
    at, want = current(engine), head(part, str(engine.url))
    if at != want:
        raise SchemaBehind(
            f"The schema of {PARTS[part]} is at {at or 'empty'}, the code needs {want}: "
            "run `python -m privacy migrate` (or `make run`, which does)."
        )
