"""AutoQA uncertainty per AutoScore (confidence, conformal set) and the sampler's weight for it

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('auto_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('prediction_set', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('coverage_level', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('uncertain', sa.Boolean(), nullable=True))
    with op.batch_alter_table('sampling_policy', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('risk_weight_uncertain', sa.Float(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('sampling_policy', schema=None) as batch_op:
        batch_op.drop_column('risk_weight_uncertain')
    with op.batch_alter_table('auto_score', schema=None) as batch_op:
        batch_op.drop_column('uncertain')
        batch_op.drop_column('coverage_level')
        batch_op.drop_column('prediction_set')
        batch_op.drop_column('confidence')
