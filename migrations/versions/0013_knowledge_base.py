"""knowledge base: articles, translations per language, versions, links from reviews, training
modules and coaching sessions, and the full-text index (SQLite FTS5 with triggers, PostgreSQL
tsvector generated column with a GIN index)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 06:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Frozen copies of qa/kb/fulltext.py's DDL as of this revision (a migration never imports the app).
_LANGUAGES = {
    'en': 'english', 'fr': 'french', 'de': 'german', 'es': 'spanish', 'it': 'italian',
    'nl': 'dutch', 'pt': 'portuguese',
}
_CFG = '(CASE language ' + ' '.join(
    f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in _LANGUAGES.items()
) + " ELSE 'simple'::regconfig END)"
_VECTOR = (
    f"setweight(to_tsvector({_CFG}, coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector({_CFG}, coalesce(keywords, '')), 'B') || "
    f"setweight(to_tsvector({_CFG}, coalesce(body, '')), 'C')"
)
_SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS kb_search USING fts5(title, keywords, body, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS kb_translation_search_insert AFTER INSERT ON kb_translation "
    "BEGIN INSERT INTO kb_search (rowid, title, keywords, body) "
    "VALUES (new.id, new.title, new.keywords, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS kb_translation_search_update AFTER UPDATE ON kb_translation "
    "BEGIN DELETE FROM kb_search WHERE rowid = old.id; "
    "INSERT INTO kb_search (rowid, title, keywords, body) "
    "VALUES (new.id, new.title, new.keywords, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS kb_translation_search_delete AFTER DELETE ON kb_translation "
    "BEGIN DELETE FROM kb_search WHERE rowid = old.id; END",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS kb_translation_search_insert",
    "DROP TRIGGER IF EXISTS kb_translation_search_update",
    "DROP TRIGGER IF EXISTS kb_translation_search_delete",
    "DROP TABLE IF EXISTS kb_search",
]
_POSTGRES_CREATE = [
    f"ALTER TABLE kb_translation ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({_VECTOR}) STORED",
    "CREATE INDEX ix_kb_translation_search ON kb_translation USING gin (search_vector)",
]
_POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_kb_translation_search",
    "ALTER TABLE kb_translation DROP COLUMN IF EXISTS search_vector",
]


def upgrade():
    op.create_table(
        'kb_article',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=120), nullable=True),
        sa.Column('tags', sa.JSON(), nullable=False),
        sa.Column(
            'status',
            sa.Enum('draft', 'published', 'archived', name='kb_article_status',
                    native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column('review_by', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_kb_article_team_id_team')),
        sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_kb_article_owner_id_user')),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['user.id'], name=op.f('fk_kb_article_created_by_id_user')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article')),
    )
    with op.batch_alter_table('kb_article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_article_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_article_topic'), ['topic'], unique=False)

    op.create_table(
        'kb_translation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=12), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('keywords', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['article_id'], ['kb_article.id'],
            name=op.f('fk_kb_translation_article_id_kb_article'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_translation')),
        sa.UniqueConstraint('article_id', 'language', name='uq_kb_translation_article_language'),
    )
    op.create_table(
        'kb_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('translation_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['translation_id'], ['kb_translation.id'],
            name=op.f('fk_kb_version_translation_id_kb_translation'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_kb_version_author_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_version')),
        sa.UniqueConstraint('translation_id', 'number', name='uq_kb_version_translation_number'),
    )
    op.create_table(
        'kb_review_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['review_id'], ['review.id'], name=op.f('fk_kb_review_link_review_id_review'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['article_id'], ['kb_article.id'],
            name=op.f('fk_kb_review_link_article_id_kb_article'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['criterion_id'], ['criterion.id'], name=op.f('fk_kb_review_link_criterion_id_criterion')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_review_link')),
        sa.UniqueConstraint('review_id', 'article_id', name='uq_kb_review_link_review_article'),
    )
    with op.batch_alter_table('kb_review_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_review_link_article_id'), ['article_id'], unique=False)

    op.create_table(
        'kb_module_article',
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['module_id'], ['training_module.id'],
            name=op.f('fk_kb_module_article_module_id_training_module'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['article_id'], ['kb_article.id'],
            name=op.f('fk_kb_module_article_article_id_kb_article'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('module_id', 'article_id', name=op.f('pk_kb_module_article')),
    )
    op.create_table(
        'kb_session_article',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['session_id'], ['coaching_session.id'],
            name=op.f('fk_kb_session_article_session_id_coaching_session'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['article_id'], ['kb_article.id'],
            name=op.f('fk_kb_session_article_article_id_kb_article'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('session_id', 'article_id', name=op.f('pk_kb_session_article')),
    )

    dialect = op.get_bind().dialect.name
    for sql in {'sqlite': _SQLITE_CREATE, 'postgresql': _POSTGRES_CREATE}.get(dialect, []):
        op.execute(sql)


def downgrade():
    dialect = op.get_bind().dialect.name
    for sql in {'sqlite': _SQLITE_DROP, 'postgresql': _POSTGRES_DROP}.get(dialect, []):
        op.execute(sql)
    op.drop_table('kb_session_article')
    op.drop_table('kb_module_article')
    with op.batch_alter_table('kb_review_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_review_link_article_id'))
    op.drop_table('kb_review_link')
    op.drop_table('kb_version')
    op.drop_table('kb_translation')
    with op.batch_alter_table('kb_article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_article_topic'))
        batch_op.drop_index(batch_op.f('ix_kb_article_team_id'))
    op.drop_table('kb_article')
