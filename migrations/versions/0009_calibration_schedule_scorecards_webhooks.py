"""calibration sessions with a due date and a blind/visible mode; scorecards assigned to a
channel and/or team; outgoing webhooks and their deliveries

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calibration_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('mode', sa.String(length=10), server_default='blind', nullable=False)
        )

    op.create_table(
        'scorecard_assignment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scorecard_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=True),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['scorecard_id'], ['scorecard.id'],
            name=op.f('fk_scorecard_assignment_scorecard_id_scorecard'),
        ),
        sa.ForeignKeyConstraint(
            ['team_id'], ['team.id'], name=op.f('fk_scorecard_assignment_team_id_team')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_assignment')),
        sa.UniqueConstraint('scorecard_id', 'channel', 'team_id', name='uq_scorecard_assignment'),
    )
    with op.batch_alter_table('scorecard_assignment', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_scorecard_assignment_scorecard_id'), ['scorecard_id'], unique=False
        )


    op.create_table(
        'webhook',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('secret', sa.String(length=200), nullable=False),
        sa.Column('events', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook')),
    )
    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('webhook_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=60), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['webhook_id'], ['webhook.id'], name=op.f('fk_webhook_delivery_webhook_id_webhook')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_webhook_delivery_webhook_id'), ['webhook_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_webhook_id'))
    op.drop_table('webhook_delivery')
    op.drop_table('webhook')

    with op.batch_alter_table('scorecard_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scorecard_assignment_scorecard_id'))
    op.drop_table('scorecard_assignment')

    with op.batch_alter_table('calibration_session', schema=None) as batch_op:
        batch_op.drop_column('mode')
        batch_op.drop_column('due_on')
