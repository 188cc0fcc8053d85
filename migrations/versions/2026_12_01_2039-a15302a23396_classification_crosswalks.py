"""classification crosswalks: published pairs between occupational classifications (ISCO-08 -> SOC 2010...)

Revision ID: a15302a23396
Revises: 71aa8c0ca501
Create Date: 2026-12-01 20:39:28.254281
"""
from alembic import op
import sqlalchemy as sa

import app.db  # noqa: F401  custom column types


revision = 'a15302a23396'
down_revision = '71aa8c0ca501'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('classification_crosswalks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('from_system', sa.String(length=40), nullable=False),
    sa.Column('from_code', sa.String(length=40), nullable=False),
    sa.Column('from_title', sa.String(length=500), nullable=True),
    sa.Column('to_system', sa.String(length=40), nullable=False),
    sa.Column('to_code', sa.String(length=40), nullable=False),
    sa.Column('to_title', sa.String(length=500), nullable=True),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classification_crosswalks')),
    sa.UniqueConstraint('from_system', 'to_system', 'from_code', 'to_code', name='uq_classification_crosswalks_pair')
    )
    with op.batch_alter_table('classification_crosswalks', schema=None) as batch_op:
        batch_op.create_index('ix_classification_crosswalks_reverse', ['to_system', 'from_system', 'to_code'], unique=False)


def downgrade():
    with op.batch_alter_table('classification_crosswalks', schema=None) as batch_op:
        batch_op.drop_index('ix_classification_crosswalks_reverse')
    op.drop_table('classification_crosswalks')
