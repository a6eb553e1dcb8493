"""dashboard days, interaction agent index with id

dashboard_day keeps the dashboard's sums of a team's closed day (qa/services/dashboard_cache.py);
`id` added to ix_interaction_agent_started lets the feedback page read interaction ids from the
index alone (bench/load.py: the feedback query went from 50 to 30 ms over 1M interactions).

Revision ID: 0003
Revises: e823d17d5f83
Create Date: 2026-11-23 04:52:14.229235

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = 'e823d17d5f83'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_day',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('spec', sa.String(length=40), nullable=True),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_dashboard_day_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'day', name=op.f('pk_dashboard_day'))
    )
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interaction_agent_started'))
        batch_op.create_index('ix_interaction_agent_started', ['agent_id', 'started_at', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_index('ix_interaction_agent_started')
        batch_op.create_index(batch_op.f('ix_interaction_agent_started'), ['agent_id', 'started_at'], unique=False)

    op.drop_table('dashboard_day')
