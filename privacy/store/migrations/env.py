"""Alembic environment shared by the two databases; privacy/store/migrate.py says which one."""

from alembic import context
from sqlalchemy import create_engine

from privacy.store import schema

config = context.config
target = getattr(schema, config.get_main_option("part"))


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"), future=True)
        with engine.begin() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
