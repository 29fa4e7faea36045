"""Which database errors mean "run the transaction again": a real deadlock on PostgreSQL is
one (the write path retries it); a constraint violation is not."""

import threading

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from app.core.db import is_transient_conflict


@pytest.mark.postgres_only
def test_a_real_deadlock_is_a_transient_conflict(engine: Engine, is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("SQLite has one writer: no deadlocks")
    with engine.begin() as setup:
        setup.execute(text("CREATE TABLE IF NOT EXISTS deadlock_probe (id int PRIMARY KEY)"))
        setup.execute(text("DELETE FROM deadlock_probe"))
        setup.execute(text("INSERT INTO deadlock_probe VALUES (1), (2)"))
    both_hold = threading.Barrier(2)
    caught: list[BaseException] = []

    def lock(first: int, second: int) -> None:
        try:
            with engine.begin() as connection:
                connection.execute(
                    text("SELECT 1 FROM deadlock_probe WHERE id = :id FOR UPDATE"), {"id": first}
                )
                both_hold.wait(timeout=10)
                connection.execute(
                    text("SELECT 1 FROM deadlock_probe WHERE id = :id FOR UPDATE"), {"id": second}
                )
        except DBAPIError as exc:
            caught.append(exc)

    threads = [threading.Thread(target=lock, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with engine.begin() as cleanup:
        cleanup.execute(text("DROP TABLE deadlock_probe"))
    [victim] = caught  # PostgreSQL rolls back exactly one of the two
    assert is_transient_conflict(victim)


def test_other_errors_are_not(engine: Engine) -> None:
    with engine.connect() as connection, pytest.raises(DBAPIError) as refused:
        connection.execute(text("SELECT * FROM no_such_table"))
    assert not is_transient_conflict(refused.value)
    assert not is_transient_conflict(ValueError("not a database error"))
