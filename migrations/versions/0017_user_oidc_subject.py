"""single sign-on: the user's identity at the provider (OpenID Connect issuer and subject)

Stored on the first SSO sign-in; later sign-ins match (issuer, subject) before the email. Unique
together (NULLs, users who never signed in by SSO, do not collide).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_issuer', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
    # A unique index, not a constraint: SQLite adds an index without rebuilding the user table
    # (which every other table references).
    op.create_index(
        'uq_user_oidc_issuer_subject', 'user', ['oidc_issuer', 'oidc_subject'], unique=True
    )


def downgrade():
    op.drop_index('uq_user_oidc_issuer_subject', table_name='user')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('oidc_subject')
        batch_op.drop_column('oidc_issuer')
