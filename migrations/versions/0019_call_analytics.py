"""call analytics per interaction (issue 16), and the sampler's long-dead-air risk signal

A call_analytics table keyed by the interaction: the key figures of
transcription.call_analytics as columns, the whole result as JSON, and the fingerprint of the
transcript it was computed from. Sampling policies get the weight of the "long dead air" risk
signal (0 for existing policies: their draws stay as they were) and its threshold in seconds.
Existing calls get their analytics with `flask calls analytics --backfill`.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'call_analytics',
        sa.Column('interaction_id', sa.Integer(), nullable=False),
        sa.Column('speakers', sa.String(length=12), nullable=False),
        sa.Column('note', sa.String(length=255), nullable=True),
        sa.Column('duration_seconds', sa.Float(), nullable=False),
        sa.Column('speech_seconds', sa.Float(), nullable=False),
        sa.Column('talk_ratio', sa.Float(), nullable=True),
        sa.Column('agent_talk_seconds', sa.Float(), nullable=True),
        sa.Column('customer_talk_seconds', sa.Float(), nullable=True),
        sa.Column('dead_air_seconds', sa.Float(), nullable=False),
        sa.Column('dead_air_ratio', sa.Float(), nullable=True),
        sa.Column('longest_silence_seconds', sa.Float(), nullable=False),
        sa.Column('long_silences', sa.Integer(), nullable=False),
        sa.Column('overtalk_count', sa.Integer(), nullable=True),
        sa.Column('overtalk_seconds', sa.Float(), nullable=True),
        sa.Column('agent_interruptions', sa.Integer(), nullable=True),
        sa.Column('customer_interruptions', sa.Integer(), nullable=True),
        sa.Column('holds', sa.Integer(), nullable=False),
        sa.Column('hold_seconds', sa.Float(), nullable=False),
        sa.Column('agent_wpm', sa.Float(), nullable=True),
        sa.Column('customer_wpm', sa.Float(), nullable=True),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('fingerprint', sa.String(length=40), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['interaction_id'], ['interaction.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('interaction_id'),
    )
    with op.batch_alter_table('sampling_policy', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('risk_weight_dead_air', sa.Float(), server_default='0', nullable=False)
        )
        batch_op.add_column(
            sa.Column('dead_air_seconds', sa.Float(), server_default='30', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('sampling_policy', schema=None) as batch_op:
        batch_op.drop_column('dead_air_seconds')
        batch_op.drop_column('risk_weight_dead_air')
    op.drop_table('call_analytics')
