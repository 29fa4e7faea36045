"""Engine, sessions and the declarative base.

The engine and sessionmaker are built by `create_engine_for` and handed to `create_app()`;
the request dependency in `core/deps.py` owns one transaction per request.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from time import monotonic
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from app.core.settings import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


# A pooled connection unused for longer than this is checked (one round trip) before use.
PING_AFTER_IDLE_SECONDS = 10.0


def create_engine_for(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout: float = 10,
    ping_after_idle: float = PING_AFTER_IDLE_SECONDS,
) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and serialised write transactions.

    A request that finds no free connection within `pool_timeout` seconds answers 503.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        # A database that does not answer within 5 s is down, not slow.
        connect_args={"connect_timeout": 5},
    )
    _ping_after_idle(engine, ping_after_idle)
    return engine


def _ping_after_idle(engine: Engine, seconds: float) -> None:
    """Check a pooled connection before use only if it sat idle for over `seconds`.

    `pool_pre_ping` would cost a round trip on every checkout (two or three per write
    request). A connection in steady use is live; one that idled may have been closed by the
    server, a restart or a firewall, and is replaced here before a request sees it. A
    connection that dies between two close uses fails that one request (a 503, nothing
    acknowledged), and the disconnect invalidates the whole pool, so the next ones reconnect.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or monotonic() - idle_since <= seconds:
            return  # new, or in steady use
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError("idle connection is gone") from exc


# Execution option for a session's connection that will only read (see `_configure_sqlite`).
READ_ONLY = "followthrough_read_only"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can never
        # fail half-way with "database is locked", it waits its turn instead. A transaction
        # that only reads (`READ_ONLY`, e.g. a streamed report) begins DEFERRED: in WAL mode
        # it reads one snapshot and never holds writers up, however long its client takes.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def open_engine() -> Engine:
    """An engine on the configured database, for a command or job outside the app."""
    return create_engine_for(get_settings().database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction for a command-line command, committed when it succeeds."""
    engine = open_engine()
    try:
        with transaction(create_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Open a session with one transaction, committed on success (for CLI and jobs)."""
    with factory() as session, session.begin():
        yield session


def is_transient_conflict(exc: BaseException) -> bool:
    """A deadlock or serialization failure: the database rolled back; running the whole
    transaction again is safe and usually succeeds."""
    if not isinstance(exc, DBAPIError):
        return False
    # SQLSTATE class 40: 40001 serialization_failure, 40P01 deadlock_detected.
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith("40")
