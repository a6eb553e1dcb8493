"""the language of each interaction (ISO 639-1, where it came from) and of each team; the
reason AutoQA did not score an interaction (e.g. a language its model was not trained on)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('language_source', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('autoqa_skipped', sa.String(length=80), nullable=True))
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=2), server_default='en', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_column('autoqa_skipped')
        batch_op.drop_column('language_source')
        batch_op.drop_column('language')
