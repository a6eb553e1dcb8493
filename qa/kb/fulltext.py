"""The database's own full-text index over article translations, chosen by dialect.

- SQLite: an FTS5 table `kb_search` (title, keywords, body; rowid = the translation's id, the
  Porter stemmer over unicode61 without diacritics) kept in sync by triggers on kb_translation.
- PostgreSQL: a generated `search_vector` tsvector column on kb_translation (title weighted A,
  keywords B, body C, under the text-search configuration of the row's language, `simple` for
  a language PostgreSQL has no stemmer for) with a GIN index.

Neither is mapped by the ORM (the FTS5 table is virtual, the column is written by the
database); migration 0013 creates them and `create_all` does too, through the DDL listeners
below. `SEARCH_OBJECTS` names them so the schema comparison (tests/test_migrations.py) leaves
them out; tests/qa/test_kb_search.py checks that they work, on both databases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, Table, event

# Languages an article can be written in, with PostgreSQL's text-search configuration for each.
LANGUAGES = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
}


def pg_config(language_column: str) -> str:
    """SQL: the regconfig for a row whose language code is in `language_column`."""
    cases = " ".join(f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in LANGUAGES.items())
    return f"(CASE {language_column} {cases} ELSE 'simple'::regconfig END)"


def _pg_vector() -> str:
    cfg = pg_config("language")
    return (
        f"setweight(to_tsvector({cfg}, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector({cfg}, coalesce(keywords, '')), 'B') || "
        f"setweight(to_tsvector({cfg}, coalesce(body, '')), 'C')"
    )


SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS kb_search USING fts5(title, keywords, body, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS kb_translation_search_insert AFTER INSERT ON kb_translation "
    "BEGIN INSERT INTO kb_search (rowid, title, keywords, body) "
    "VALUES (new.id, new.title, new.keywords, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS kb_translation_search_update AFTER UPDATE ON kb_translation "
    "BEGIN DELETE FROM kb_search WHERE rowid = old.id; "
    "INSERT INTO kb_search (rowid, title, keywords, body) "
    "VALUES (new.id, new.title, new.keywords, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS kb_translation_search_delete AFTER DELETE ON kb_translation "
    "BEGIN DELETE FROM kb_search WHERE rowid = old.id; END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS kb_translation_search_insert",
    "DROP TRIGGER IF EXISTS kb_translation_search_update",
    "DROP TRIGGER IF EXISTS kb_translation_search_delete",
    "DROP TABLE IF EXISTS kb_search",
]
POSTGRES_CREATE = [
    f"ALTER TABLE kb_translation ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({_pg_vector()}) STORED",
    "CREATE INDEX ix_kb_translation_search ON kb_translation USING gin (search_vector)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_kb_translation_search",
    "ALTER TABLE kb_translation DROP COLUMN IF EXISTS search_vector",
]

# What the ORM does not map: FTS5's table and its shadow tables, the tsvector column and index.
SEARCH_TABLES = frozenset(
    {"kb_search", *(f"kb_search_{s}" for s in ("data", "idx", "content", "docsize", "config"))}
)
SEARCH_OBJECTS = SEARCH_TABLES | {"search_vector", "ix_kb_translation_search"}


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's include_name hook: leave the full-text objects out of schema comparisons."""
    return name not in SEARCH_OBJECTS


def attach(table: Table) -> None:
    """Create (and drop) the index with the table under create_all / drop_all."""
    for sql in SQLITE_CREATE:
        event.listen(table, "after_create", DDL(sql).execute_if(dialect="sqlite"))
    for sql in POSTGRES_CREATE:
        event.listen(table, "after_create", DDL(sql).execute_if(dialect="postgresql"))
    for sql in SQLITE_DROP:
        event.listen(table, "before_drop", DDL(sql).execute_if(dialect="sqlite"))


__all__ = [
    "LANGUAGES",
    "POSTGRES_CREATE",
    "POSTGRES_DROP",
    "SEARCH_OBJECTS",
    "SQLITE_CREATE",
    "SQLITE_DROP",
    "attach",
    "include_name",
    "pg_config",
]
