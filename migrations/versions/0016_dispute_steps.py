"""disputes in steps: the reviewer answers first, the agent may escalate to the lead; when a
webhook delivery was last tried

New columns for the reviewer's answer (answered_at, answer_comment) and the agent's escalation
(escalated_at, escalation_note); new status values (adjusted, answered, accepted, escalated:
the column is a plain string, no type to alter). The one-dispute-per-review index now covers
every dispute still under way (open, answered, escalated). Disputes open before this migration
were announced to the team's leads, who decide them: they become escalated, as of their
opening. webhook_delivery.attempted_at times the retries' backoff.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

ONE_OPEN = "status = 'open'"
UNDER_WAY = "status IN ('open', 'answered', 'escalated')"


def upgrade():
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('answer_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('escalation_note', sa.Text(), nullable=True))
    op.execute(
        "UPDATE dispute SET status = 'escalated', escalated_at = created_at WHERE status = 'open'"
    )
    op.drop_index('uq_dispute_open', table_name='dispute')
    op.create_index('uq_dispute_open', 'dispute', ['review_id'], unique=True,
                    sqlite_where=sa.text(UNDER_WAY), postgresql_where=sa.text(UNDER_WAY))
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempted_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_column('attempted_at')
    op.drop_index('uq_dispute_open', table_name='dispute')
    # the steps fold back into the two-state flow: under way is open, a reviewer's or the
    # agent's closing is a decision
    op.execute("UPDATE dispute SET status = 'open' WHERE status IN ('answered', 'escalated')")
    op.execute("UPDATE dispute SET status = 'changed' WHERE status = 'adjusted'")
    op.execute("UPDATE dispute SET status = 'upheld' WHERE status = 'accepted'")
    op.create_index('uq_dispute_open', 'dispute', ['review_id'], unique=True,
                    sqlite_where=sa.text(ONE_OPEN), postgresql_where=sa.text(ONE_OPEN))
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.drop_column('escalation_note')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('answer_comment')
        batch_op.drop_column('answered_at')
