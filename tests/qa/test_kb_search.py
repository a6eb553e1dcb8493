"""Knowledge-base search with the database's own full-text engine: SQLite FTS5 under the
SQLite run, PostgreSQL tsvector under QA_TEST_DATABASE_URL (the same tests, both databases),
and the index built by migration 0013 on a migrated SQLite file."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from qa import create_app
from qa.extensions import db
from qa.kb import services as kb
from qa.kb.models import ArticleStatus
from qa.models import Role
from tests.conftest import MIGRATIONS, make_user


def write(actor, title, body, *, language="en", status=ArticleStatus.PUBLISHED, article=None,
          tags=()):  # fmt: skip
    """Save and commit an organisation-wide article as an admin."""
    saved = kb.save_article(
        article, actor, kb.ArticleInput(language=language, title=title, body=body, status=status,
                                         tags=list(tags)),
    )  # fmt: skip
    db.session.commit()
    return saved


def library(admin):
    """Three English articles, one with a French translation, and a draft."""
    refund = write(
        admin,
        "Refund a double charge",
        "When a customer was charged twice, refund the duplicate payment in billing.",
    )
    write(
        admin,
        "Change the delivery address",
        "Delivery addresses can change until the parcel ships; mention refunds only if asked.",
    )
    write(
        admin,
        "Reset a password",
        "Send the reset link; never read a password aloud.",
        tags=["login"],
    )
    write(
        admin,
        "Rembourser un double prélèvement",
        "Quand un client a été prélevé deux fois, remboursez le paiement en double.",
        language="fr",
        article=refund,
    )
    write(
        admin,
        "Secret refund policy",
        "Refunds above 500 need a manager.",
        status=ArticleStatus.DRAFT,
    )
    return refund


def test_search_ranks_title_matches_first_and_stems(app):
    """The word "refunds" finds both refund articles, the one with the word in its title first, with a
    highlighted snippet; stemming matches "charged" for "charges"."""
    admin, reviewer = make_user(Role.ADMIN), make_user(Role.REVIEWER)
    refund = library(admin)
    hits = kb.search("refunds", reviewer, language="en")
    assert [h.title for h in hits][:2] == ["Refund a double charge", "Change the delivery address"]
    assert hits[0].rank > hits[1].rank
    assert "<mark>" in hits[0].snippet and hits[0].article.id == refund.id
    assert [h.title for h in kb.search("charges", reviewer, language="en")] == [
        "Refund a double charge"
    ]


def test_search_finds_the_french_translation_and_tags(app):
    """A French word finds the French translation of the same KB number; a tag is searchable."""
    admin = make_user(Role.ADMIN)
    refund = library(admin)
    hits = kb.search("remboursez", admin)
    assert [(h.article.id, h.language) for h in hits] == [(refund.id, "fr")]
    assert [h.title for h in kb.search("login", admin)] == ["Reset a password"]


def test_search_respects_who_reads_and_follows_edits(app):
    """Agents never find drafts; an edit is searchable at once and its old words are gone."""
    admin, agent = make_user(Role.ADMIN), make_user(Role.AGENT)
    refund = library(admin)
    assert "Secret refund policy" in [h.title for h in kb.search("refund", admin)]
    assert "Secret refund policy" not in [h.title for h in kb.search("refund", agent)]
    write(admin, "Refund a double charge", "Reverse the duplicate transaction.", article=refund)
    assert [h.title for h in kb.search("transaction", agent)] == ["Refund a double charge"]
    assert "Refund a double charge" not in [
        h.title for h in kb.search("payment", agent, language="en")
    ]


def test_search_survives_operators_markup_and_empty_queries(app, login):
    """FTS syntax and quotes in the box are plain words, HTML in a body never reaches the
    snippet as markup, an empty query finds nothing, and the page shows the hits."""
    admin = make_user(Role.ADMIN)
    write(admin, "Escalate", "Type <script>alert(1)</script> NEAR the escalation form.")
    db.session.commit()
    for query in ('"escalation', "(escalation)", "escalation*", "NEAR(escalation)", "-escalation:"):
        assert [h.title for h in kb.search(query, admin)] == ["Escalate"], query
    hit = kb.search("escalation", admin)[0]
    # SQLite's snippet keeps the tag as text (escaped here); PostgreSQL's headline drops tags
    assert "<script>" not in hit.snippet and "alert(1)" in hit.snippet
    assert kb.search("  ", admin) == [] and kb.search("?!", admin) == []
    page = login(admin).get("/kb/?q=escalation").get_data(as_text=True)
    assert "<mark>escalation</mark>" in page and "<script>alert" not in page


def test_migration_builds_the_sqlite_index(tmp_path):
    """On a SQLite file upgraded by the migrations, writes reach the FTS5 table through the
    triggers and search works."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'k.db'}"})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        admin = make_user(Role.ADMIN)
        write(admin, "Refund a double charge", "Refund the duplicate payment.")
        count = db.session.scalar(
            text("SELECT count(*) FROM kb_search WHERE kb_search MATCH 'duplicate'")
        )
        assert count == 1
        assert [h.title for h in kb.search("duplicate", admin)] == ["Refund a double charge"]
        db.session.remove()
        db.engine.dispose()


def test_postgres_index_is_a_generated_tsvector_with_gin(app):
    """On PostgreSQL the index is a generated tsvector column under a GIN index (SQLite: the
    FTS5 table exists instead)."""
    if db.engine.dialect.name != "postgresql":
        names = db.session.scalars(text("SELECT name FROM sqlite_master WHERE name = 'kb_search'"))
        assert list(names) == ["kb_search"]
        return
    generated = db.session.scalar(
        text(
            "SELECT is_generated FROM information_schema.columns "
            "WHERE table_name = 'kb_translation' AND column_name = 'search_vector'"
        )
    )
    index = db.session.scalar(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_kb_translation_search'")
    )
    assert generated == "ALWAYS" and "USING gin (search_vector)" in index
