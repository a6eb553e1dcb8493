"""Flask extensions, created unbound and initialised in create_app."""

import sqlite3

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """SQLite ignores foreign keys unless asked, per connection; enforce them as PostgreSQL does."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_in_transaction(conn: Connection, _name: str | None) -> None:
    """A SAVEPOINT on SQLite opens the transaction first when none is open. Python's sqlite3
    driver begins one only before an INSERT/UPDATE/DELETE, so a SAVEPOINT before the session's
    first write was the outermost transaction: its RELEASE committed (an fsync per imported row)
    and a later rollback of the session did not undo it. BEGIN IMMEDIATE takes the write lock
    now, waiting for another writer as the driver's own BEGIN does: a deferred BEGIN would read
    under a shared lock and then fail at once ("database is locked") when another writer holds
    the lock. Reads outside savepoints keep the driver's autocommit. (SQLAlchemy's pysqlite
    recipe, BEGIN for every transaction, makes concurrent writers fail that way, 500s in
    tests/test_concurrency.py; BEGIN IMMEDIATE for every one serialises all the readers.)"""
    if conn.dialect.name == "sqlite":
        dbapi_connection = conn.connection.dbapi_connection
        if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
