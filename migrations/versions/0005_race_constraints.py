"""one draft per reviewer and interaction, one open dispute per review

Parallel "start review" posts opened several drafts of one interaction for one reviewer, and
parallel "open dispute" posts several open disputes on one review. Partial unique indexes now
refuse the second one. Duplicates made before are folded first: of a reviewer's drafts of an
interaction the one with the most answers (then the oldest) is kept, the others deleted with
their answers (what pointed at them now points at the kept draft); of a review's open disputes
the oldest stays open, the others are closed as duplicates (upheld, score unchanged).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:00:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ONE_DRAFT = "status = 'draft' AND calibration_session_id IS NULL"
ONE_OPEN = "status = 'open'"


def _fold_duplicate_drafts(conn):
    rows = conn.execute(sa.text(
        "SELECT r.id, r.interaction_id, r.reviewer_id,"
        " (SELECT count(*) FROM answer a WHERE a.review_id = r.id) AS answers"
        " FROM review r WHERE " + ONE_DRAFT.replace("status", "r.status").replace(
            "calibration_session_id", "r.calibration_session_id")
        + " ORDER BY r.interaction_id, r.reviewer_id, r.id"
    )).all()
    groups = {}
    for review_id, interaction_id, reviewer_id, answers in rows:
        groups.setdefault((interaction_id, reviewer_id), []).append((review_id, answers))
    for drafts in groups.values():
        if len(drafts) < 2:
            continue
        keep = max(drafts, key=lambda d: (d[1], -d[0]))[0]
        for review_id, _ in drafts:
            if review_id == keep:
                continue
            params = {"keep": keep, "dup": review_id}
            for table in ("dispute", "training_assignment"):
                conn.execute(sa.text(f"UPDATE {table} SET review_id = :keep WHERE review_id = :dup"), params)
            conn.execute(sa.text("DELETE FROM answer WHERE review_id = :dup"), params)
            conn.execute(sa.text("DELETE FROM review WHERE id = :dup"), params)


def _close_duplicate_disputes(conn):
    rows = conn.execute(sa.text(
        "SELECT id, review_id FROM dispute WHERE " + ONE_OPEN + " ORDER BY review_id, created_at, id"
    )).all()
    kept = {}
    now = datetime.now(UTC).replace(tzinfo=None)
    for dispute_id, review_id in rows:
        if review_id not in kept:
            kept[review_id] = dispute_id
            continue
        conn.execute(
            sa.text(
                "UPDATE dispute SET status = 'upheld', resolved_at = :now,"
                " score_after = score_before, resolution_comment = :comment WHERE id = :id"
            ),
            {"now": now, "id": dispute_id,
             "comment": f"Closed as a duplicate of dispute #{kept[review_id]}."},
        )


def upgrade():
    conn = op.get_bind()
    _fold_duplicate_drafts(conn)
    _close_duplicate_disputes(conn)
    op.create_index('uq_review_draft', 'review', ['interaction_id', 'reviewer_id'], unique=True,
                    sqlite_where=sa.text(ONE_DRAFT), postgresql_where=sa.text(ONE_DRAFT))
    op.create_index('uq_dispute_open', 'dispute', ['review_id'], unique=True,
                    sqlite_where=sa.text(ONE_OPEN), postgresql_where=sa.text(ONE_OPEN))


def downgrade():
    op.drop_index('uq_dispute_open', table_name='dispute')
    op.drop_index('uq_review_draft', table_name='review')
