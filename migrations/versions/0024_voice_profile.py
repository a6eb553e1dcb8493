"""agents' voice profiles (opt-in biometric data, issue 16): one mean speaker embedding per agent

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-04 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'voice_profile',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('embedding', sa.JSON(), nullable=False),
        sa.Column('dims', sa.Integer(), nullable=False),
        sa.Column('model', sa.String(length=120), nullable=False),
        sa.Column('n_segments', sa.Integer(), nullable=False),
        sa.Column('n_calls', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('consent_at', sa.DateTime(), nullable=False),
        sa.Column('consent_by_id', sa.Integer(), nullable=True),
        sa.Column('consent_note', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_voice_profile_user_id_user'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['consent_by_id'], ['user.id'], name=op.f('fk_voice_profile_consent_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_profile')),
        sa.UniqueConstraint('user_id', name=op.f('uq_voice_profile_user_id')),
    )


def downgrade():
    op.drop_table('voice_profile')
