"""tiers N1-N4 on teams, agents and interactions; the customer of an interaction; escalations
between interactions with their outcome; sampling policies per tier with escalated and
bounced-back shares

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 06:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sa.Integer(), nullable=True))
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('customer', sa.String(length=120), nullable=True))
        batch_op.create_index(
            'ix_interaction_customer_started', ['customer', 'started_at'], unique=False
        )
        batch_op.create_index(
            'ix_interaction_team_started_tier',
            [
                'team_id', 'started_at', 'tier', 'agent_id', 'resolved_first_contact',
                'escalated', 'customer', 'id',
            ],
            unique=False,
        )
    with op.batch_alter_table('sampling_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('escalated_share', sa.Float(), server_default='0', nullable=False)
        )
        batch_op.add_column(
            sa.Column('bounced_share', sa.Float(), server_default='0', nullable=False)
        )
    op.create_table(
        'escalation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('from_interaction_id', sa.Integer(), nullable=False),
        sa.Column('to_interaction_id', sa.Integer(), nullable=True),
        sa.Column('from_tier', sa.Integer(), nullable=True),
        sa.Column('to_tier', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('escalated_at', sa.DateTime(), nullable=True),
        sa.Column('seconds_to_escalate', sa.Float(), nullable=True),
        sa.Column(
            'outcome',
            sa.Enum(
                'solved', 'bounced_back', 'unnecessary',
                name='escalation_outcome', native_enum=False, length=20,
            ),
            nullable=True,
        ),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['from_interaction_id'], ['interaction.id'],
            name=op.f('fk_escalation_from_interaction_id_interaction'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['to_interaction_id'], ['interaction.id'],
            name=op.f('fk_escalation_to_interaction_id_interaction'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation')),
        sa.UniqueConstraint(
            'from_interaction_id', name=op.f('uq_escalation_from_interaction_id')
        ),
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_escalation_to_interaction_id'), ['to_interaction_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_to_interaction_id'))
    op.drop_table('escalation')
    with op.batch_alter_table('sampling_policy', schema=None) as batch_op:
        batch_op.drop_column('bounced_share')
        batch_op.drop_column('escalated_share')
        batch_op.drop_column('tier')
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_index('ix_interaction_team_started_tier')
        batch_op.drop_index('ix_interaction_customer_started')
        batch_op.drop_column('customer')
        batch_op.drop_column('tier')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('tier')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('tier')
