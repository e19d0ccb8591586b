"""Secrets and least privilege (docs/security.md, item 15), in the production profile
(`make test-production`): the servers connect as an application role that reads and writes rows
and can change no table, the migrations run as a migration role that owns the tables, each role
with its password from the environment; the profile's Redis requires its password; the preflight
refuses a superuser and a missing Redis password; no password is logged. The files created private
are tests/unit/test_private_files.py's."""

import base64
import hashlib
import hmac
import stat
import uuid
from urllib.parse import urlparse

import pytest
import redis
import requests
from alembic import command
from sqlalchemy import create_engine, delete, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from harness import process_info
from harness.databases import ADMIN_URL
from harness.servers import PRODUCTION
from privacy.store import migrate
from privacy.store.schema import sms_seen
from runtime import production

pytestmark = pytest.mark.skipif(not PRODUCTION, reason="needs the production profile: make test-production")

REFUSED = "permission denied|must be owner"


def servers(stack):
    """The processes that use the vault: the rasa servers, the action servers and the console."""
    return [*stack.rasa.members, *stack.actions.members, stack.console]


def engine(url: str, password: str):
    return create_engine(url, future=True, connect_args={"password": password})


def admin_query(sql: str, database: str | None = None, **parameters) -> list:
    admin = create_engine(make_url(ADMIN_URL).set(database=database) if database else ADMIN_URL, future=True)
    try:
        with admin.connect() as db:
            return db.execute(text(sql), parameters).all()
    finally:
        admin.dispose()


def made_from(password: str, role: str) -> bool:
    """Whether the role's stored SCRAM-SHA-256 verifier (pg_authid) was made from `password` (RFC 5802):
    trust authentication checks no password, so the verifier is compared instead."""
    ((verifier,),) = admin_query("SELECT rolpassword FROM pg_authid WHERE rolname = :role", role=role)
    method, iterations_and_salt, keys = verifier.split("$")
    iterations, salt = iterations_and_salt.split(":")
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    return method == "SCRAM-SHA-256" and hashlib.sha256(client_key).digest() == base64.b64decode(keys.split(":")[0])


def migrate_back_and_forth(url: str, password: str) -> None:
    """Undo the data database's last migration and apply it again, in a transaction rolled back."""
    connecting = engine(url, password)
    config = migrate.alembic_config("data", url)
    try:
        with connecting.connect() as connection, connection.begin() as transaction:
            config.attributes["connection"] = connection
            command.downgrade(config, "-1")
            command.upgrade(config, "head")
            transaction.rollback()
    finally:
        connecting.dispose()


def passwords(env) -> list[str]:
    return [env[name] for name in ("DATABASE_PASSWORD", "MIGRATION_PASSWORD", "REDIS_PASSWORD")]


def as_the_servers(stack) -> tuple[str, str]:
    """The database URL and password a rasa server was given: it connects with them."""
    given = process_info.environment(stack.rasa.members[0].popen.pid)
    return given["DATABASE_URL"], given.get("DATABASE_PASSWORD", "")


def test_the_servers_run_as_an_application_role_that_reads_and_writes_rows_but_changes_no_table(stack, sender):
    application = engine(*as_the_servers(stack))
    for statement in (
        "CREATE TABLE intruder (id integer)",
        "CREATE TEMPORARY TABLE intruder (id integer)",
        "ALTER TABLE sms_seen ADD COLUMN intruder integer",
        "DROP TABLE sms_seen",
        "TRUNCATE sms_seen",
    ):
        with application.connect() as db, pytest.raises(ProgrammingError, match=REFUSED):
            db.execute(text(statement))
    key, column = f"least-privilege-{uuid.uuid4().hex}", sms_seen.c.message_sid_hash
    with application.connect() as db:  # rows are written, changed, read and deleted, then rolled back
        db.execute(insert(sms_seen).values(message_sid_hash=key))
        db.execute(update(sms_seen).where(column == key).values(message_sid_hash=f"{key}-changed"))
        assert db.execute(select(column).where(column.startswith(key))).scalars().all() == [f"{key}-changed"]
        assert db.execute(delete(sms_seen).where(column.startswith(key))).rowcount == 1
        db.rollback()
    application.dispose()
    env, app = stack.env, make_url(stack.env["DATABASE_URL"]).username
    assert stack.say(sender, "what's your phone number?")
    for url in (stack.action_url, stack.console_url):
        assert requests.get(f"{url}/ready", timeout=30).status_code == 200
    for server in servers(stack):
        given = process_info.environment(server.popen.pid)
        assert given["DATABASE_PASSWORD"] == env["DATABASE_PASSWORD"], server.name
        assert not {"MIGRATION_ROLE", "MIGRATION_PASSWORD", "POSTGRES_ADMIN_URL"} & set(given), server.name
        ports = sorted(process_info.local_ports(server.popen.pid, make_url(env["DATABASE_URL"]).port))
        users = admin_query("SELECT usename FROM pg_stat_activity WHERE client_port = ANY(:ports)", ports=ports)
        assert users and {user for (user,) in users} == {app}, server.name
    assert made_from(env["DATABASE_PASSWORD"], app)
    logs = stack.logs()
    assert not [password for password in passwords(env) if password in logs]


def test_migrations_run_as_a_migration_role_that_owns_the_tables(stack):
    with pytest.raises(ProgrammingError, match=REFUSED):
        migrate_back_and_forth(*as_the_servers(stack))
    env, migration = stack.env, stack.env["MIGRATION_ROLE"]
    for url in (env["DATABASE_URL"], env["KEYSTORE_URL"]):
        owners = "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        assert admin_query(owners, make_url(url).database) == [(migration,)]
    assert made_from(env["MIGRATION_PASSWORD"], migration)
    as_migration = make_url(env["DATABASE_URL"]).set(username=migration).render_as_string(hide_password=False)
    migrate_back_and_forth(as_migration, env["MIGRATION_PASSWORD"])


def test_redis_requires_a_password(stack):
    url = stack.env["REDIS_URL"]
    assert urlparse(url).password is None  # the password goes apart from the URL
    with pytest.raises(redis.AuthenticationError):
        redis.Redis.from_url(url, socket_timeout=5).ping()
    password = stack.env["REDIS_PASSWORD"]
    assert redis.Redis.from_url(url, password=password, socket_timeout=5).ping()
    for replica in stack.replica_urls:
        assert requests.get(f"{replica}/webhooks/health/ready", timeout=30).json()["redis"] is True
    for replica in stack.rasa.members:
        assert process_info.environment(replica.popen.pid)["REDIS_PASSWORD"] == password, replica.name
    assert not [part for part in process_info.command_line(stack.redis.popen.pid) if password in part]
    assert stat.S_IMODE(stack.redis.config_path.stat().st_mode) == 0o600
    assert password not in stack.logs()


def test_the_profile_refuses_to_start_as_a_superuser_or_without_the_redis_password(stack):
    superuser = make_url(ADMIN_URL).username
    as_superuser = {
        **stack.env,
        **{
            name: make_url(stack.env[name]).set(username=superuser).render_as_string(hide_password=False)
            for name in ("DATABASE_URL", "KEYSTORE_URL")
        },
    }
    with pytest.raises(SystemExit, match="superuser"):
        production.preflight(as_superuser)
    with pytest.raises(SystemExit, match="REDIS_PASSWORD"):
        production.preflight({name: value for name, value in stack.env.items() if name != "REDIS_PASSWORD"})
