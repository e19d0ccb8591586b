"""The production profile's PostgreSQL roles: an application role that reads and writes rows and
can change no schema, and a migration role that owns the databases and their tables.

`provision` runs once before the profile starts, as POSTGRES_ADMIN_URL's role (a superuser, or one
with CREATEROLE and CREATEDB). The application role is DATABASE_URL's (and KEYSTORE_URL's) user, with
DATABASE_PASSWORD; the migration role is MIGRATION_ROLE, with MIGRATION_PASSWORD. Each role is
created when missing, and its password set from the environment as a SCRAM verifier, so that the
password itself reaches neither the server nor its log. The databases are created when missing,
owned by the migration role; the application role gets CONNECT, USAGE on the schema and SELECT,
INSERT, UPDATE, DELETE on every table and sequence, those the migration role creates later too,
and nothing else (no CREATE, no TEMPORARY). `refusal` says why the application role must not run
the processes, connecting as they will.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Mapping

from psycopg2.extensions import encrypt_password
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from privacy.store.db import make_engine

# What a role may do besides logging in: nothing.
ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


class RoleRefused(Exception):
    """A role the profile must not use or change."""


@contextmanager
def _admin(env: Mapping[str, str], database: str | None = None) -> Iterator[Connection]:
    """A connection as POSTGRES_ADMIN_URL's role, to `database` or the URL's own."""
    url = make_url(env["POSTGRES_ADMIN_URL"])
    # hide_parameters: a failed statement's message would show the password's verifier
    engine = create_engine(
        url.set(database=database) if database else url, future=True, isolation_level="AUTOCOMMIT", hide_parameters=True
    )
    try:
        with engine.connect() as db:
            yield db
    finally:
        engine.dispose()


def _quote(db: Connection, name: str) -> str:
    return db.dialect.identifier_preparer.quote_identifier(name)


def _ensure_role(db: Connection, role: str, password: str) -> None:
    found = db.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    if found and found.rolsuper:
        raise RoleRefused(f"{role} is a superuser: the profile's roles must have no rights but their own.")
    verifier = encrypt_password(password, role, db.connection.dbapi_connection, "scram-sha-256")
    verb = "ALTER" if found else "CREATE"
    db.execute(text(f"{verb} ROLE {_quote(db, role)} {ATTRIBUTES} PASSWORD :verifier"), {"verifier": verifier})


def _ensure_database(db: Connection, name: str, owner: str) -> None:
    if not db.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first():
        db.execute(text(f"CREATE DATABASE {_quote(db, name)} OWNER {_quote(db, owner)}"))
        print(f"Created the PostgreSQL database {name}.", flush=True)
    db.execute(text(f"ALTER DATABASE {_quote(db, name)} OWNER TO {_quote(db, owner)}"))


def _grant(db: Connection, name: str, app: str, migration: str) -> None:
    """In database `name`: the schema and its tables to `migration`, rows only to `app`."""
    owned_elsewhere = db.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :migration"),
        {"migration": migration},
    ).scalars()
    database, app, migration = _quote(db, name), _quote(db, app), _quote(db, migration)
    default = f"ALTER DEFAULT PRIVILEGES FOR ROLE {migration} IN SCHEMA public"
    statements = [
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {database} TO {app}",
        "REVOKE ALL ON SCHEMA public FROM PUBLIC",
        f"ALTER SCHEMA public OWNER TO {migration}",
        f"GRANT USAGE ON SCHEMA public TO {app}",
        # tables migrated before the roles existed (as another role) go to the migration role
        *(f"ALTER TABLE public.{_quote(db, table)} OWNER TO {migration}" for table in owned_elsewhere),
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"{default} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"{default} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {app}",
    ]
    for statement in statements:
        db.execute(text(statement))


def provision(env: Mapping[str, str]) -> None:
    """Create or update the two roles and the two databases, and each role's rights in them."""
    app, migration = make_url(env["DATABASE_URL"]).username, env["MIGRATION_ROLE"]
    if not app or app == migration:
        raise RoleRefused("DATABASE_URL must name the application role, and MIGRATION_ROLE another one.")
    names = [make_url(env[name]).database for name in ("DATABASE_URL", "KEYSTORE_URL")]
    with _admin(env) as db:
        _ensure_role(db, app, env["DATABASE_PASSWORD"])
        _ensure_role(db, migration, env["MIGRATION_PASSWORD"])
        for name in names:
            _ensure_database(db, name, migration)
    for name in names:
        with _admin(env, name) as db:
            _grant(db, name, app, migration)


def refusal(url: str, password: str) -> str | None:
    """Why the role `url` names must not run the processes (a superuser, or one that may create or
    own tables), or None."""
    engine = make_engine(url, password=password)
    try:
        with engine.connect() as db:
            role = db.execute(
                text(
                    "SELECT current_user AS name, rolsuper,"
                    " has_schema_privilege('public', 'CREATE')"
                    " OR has_database_privilege(current_database(), 'CREATE, TEMPORARY')"
                    " OR EXISTS (SELECT 1 FROM pg_tables WHERE tableowner = current_user) AS ddl"
                    " FROM pg_roles WHERE rolname = current_user"
                )
            ).one()
    finally:
        engine.dispose()
    if role.rolsuper:
        return f"{role.name} is a superuser"
    return f"{role.name} may create or change tables" if role.ddl else None
