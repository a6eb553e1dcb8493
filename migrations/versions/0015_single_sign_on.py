"""single sign-on: password sign-in per user, and the admin's provisioning settings

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('password_login', sa.Boolean(), server_default='1', nullable=False)
        )

    op.create_table(
        'sso_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('allowed_domains', sa.Text(), nullable=False),
        sa.Column(
            'default_role',
            sa.Enum('admin', 'lead', 'reviewer', 'agent', name='role', native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_settings')),
    )


def downgrade():
    op.drop_table('sso_settings')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('password_login')
