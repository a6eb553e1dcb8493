"""overall review comment anchored to a segment

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 05:43:50.337392

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_segment_position', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('comment_segment_position')

