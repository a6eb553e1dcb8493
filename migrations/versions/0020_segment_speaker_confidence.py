"""diarization of mono calls: each segment's speaker confidence, the transcript's diarization note

segment.speaker_confidence (0-1) is set when diarization named the speaker of a mono call
(None for stereo channels and text); transcript.diarization_note says what diarization did or
why the speakers stayed "unknown" (one voice, music only, an error).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speaker_confidence', sa.Float(), nullable=True))
    with op.batch_alter_table('transcript', schema=None) as batch_op:
        batch_op.add_column(sa.Column('diarization_note', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('transcript', schema=None) as batch_op:
        batch_op.drop_column('diarization_note')
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.drop_column('speaker_confidence')
