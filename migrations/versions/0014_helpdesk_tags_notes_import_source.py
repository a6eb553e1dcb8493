"""helpdesk imports (issue 17): interaction tags, internal notes, pull connector state

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'interaction_tag',
        sa.Column('interaction_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ['interaction_id'], ['interaction.id'],
            name=op.f('fk_interaction_tag_interaction_id_interaction'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('interaction_id', 'name', name=op.f('pk_interaction_tag')),
    )
    op.create_index('ix_interaction_tag_name', 'interaction_tag', ['name', 'interaction_id'])
    op.create_table(
        'interaction_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interaction_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('author', sa.String(length=255), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['interaction_id'], ['interaction.id'],
            name=op.f('fk_interaction_note_interaction_id_interaction'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_interaction_note')),
    )
    op.create_index(
        op.f('ix_interaction_note_interaction_id'), 'interaction_note', ['interaction_id']
    )
    op.create_table(
        'import_source',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('cursor', sa.Text(), nullable=True),
        sa.Column('start_time', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('tickets', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_source')),
        sa.UniqueConstraint('kind', 'name', name='uq_import_source_kind_name'),
    )


def downgrade():
    op.drop_table('import_source')
    op.drop_index(op.f('ix_interaction_note_interaction_id'), table_name='interaction_note')
    op.drop_table('interaction_note')
    op.drop_index('ix_interaction_tag_name', table_name='interaction_tag')
    op.drop_table('interaction_tag')
