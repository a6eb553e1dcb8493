"""the language a scorecard and a training module are written in (ISO 639-1, default en)

Existing content is taken to be English, except what is used only by teams that work in one
other language: a scorecard whose every assignment names a team, all those teams sharing a
language other than English (the demo's French team's scorecard), and a training module
assigned only to agents of such teams, get that language. An admin corrects a guess in the
scorecard builder or the module form.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# One language among the teams a scorecard is assigned to, none of its assignments general.
SCORECARDS = """
UPDATE scorecard SET language = (
    SELECT MIN(team.language) FROM scorecard_assignment a JOIN team ON team.id = a.team_id
    WHERE a.scorecard_id = scorecard.id)
WHERE EXISTS (SELECT 1 FROM scorecard_assignment a WHERE a.scorecard_id = scorecard.id)
  AND NOT EXISTS (SELECT 1 FROM scorecard_assignment a
                  WHERE a.scorecard_id = scorecard.id AND a.team_id IS NULL)
  AND (SELECT COUNT(DISTINCT team.language) FROM scorecard_assignment a
       JOIN team ON team.id = a.team_id WHERE a.scorecard_id = scorecard.id) = 1
  AND (SELECT MIN(team.language) FROM scorecard_assignment a
       JOIN team ON team.id = a.team_id WHERE a.scorecard_id = scorecard.id) <> 'en'
"""

# One language among the teams of the agents a module is assigned to (every agent in a team).
MODULES = """
UPDATE training_module SET language = (
    SELECT MIN(team.language) FROM training_assignment t JOIN "user" u ON u.id = t.agent_id
    JOIN team ON team.id = u.team_id WHERE t.module_id = training_module.id)
WHERE EXISTS (SELECT 1 FROM training_assignment t WHERE t.module_id = training_module.id)
  AND NOT EXISTS (SELECT 1 FROM training_assignment t JOIN "user" u ON u.id = t.agent_id
                  WHERE t.module_id = training_module.id AND u.team_id IS NULL)
  AND (SELECT COUNT(DISTINCT team.language) FROM training_assignment t
       JOIN "user" u ON u.id = t.agent_id JOIN team ON team.id = u.team_id
       WHERE t.module_id = training_module.id) = 1
  AND (SELECT MIN(team.language) FROM training_assignment t
       JOIN "user" u ON u.id = t.agent_id JOIN team ON team.id = u.team_id
       WHERE t.module_id = training_module.id) <> 'en'
"""


def upgrade():
    with op.batch_alter_table('scorecard', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=2), server_default='en', nullable=False)
        )
    with op.batch_alter_table('training_module', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=2), server_default='en', nullable=False)
        )
    op.execute(SCORECARDS)
    op.execute(MODULES)


def downgrade():
    with op.batch_alter_table('training_module', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('scorecard', schema=None) as batch_op:
        batch_op.drop_column('language')
