"""mapping sets: named, versioned sets of validated mapping revisions, each version with its content hash

Revision ID: 71aa8c0ca501
Revises: aae6191201fb
Create Date: 2026-12-01 20:37:29.268858
"""
from alembic import op
import sqlalchemy as sa

import app.db  # noqa: F401  custom column types


revision = '71aa8c0ca501'
down_revision = 'aae6191201fb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mapping_sets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_organization_id', sa.Uuid(), nullable=False),
    sa.Column('source_framework_id', sa.Uuid(), nullable=False),
    sa.Column('target_framework_id', sa.Uuid(), nullable=False),
    sa.Column('latest_version', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_organization_id'], ['organizations.id'], name=op.f('fk_mapping_sets_owner_organization_id_organizations')),
    sa.ForeignKeyConstraint(['source_framework_id'], ['frameworks.id'], name=op.f('fk_mapping_sets_source_framework_id_frameworks')),
    sa.ForeignKeyConstraint(['target_framework_id'], ['frameworks.id'], name=op.f('fk_mapping_sets_target_framework_id_frameworks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_sets'))
    )
    with op.batch_alter_table('mapping_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mapping_sets_owner_organization_id'), ['owner_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mapping_sets_source_framework_id'), ['source_framework_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mapping_sets_target_framework_id'), ['target_framework_id'], unique=False)

    op.create_table('mapping_set_versions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('mapping_set_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('license', sa.String(length=500), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mapping_set_id'], ['mapping_sets.id'], name=op.f('fk_mapping_set_versions_mapping_set_id_mapping_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_set_versions')),
    sa.UniqueConstraint('mapping_set_id', 'version', name=op.f('uq_mapping_set_versions_mapping_set_id_version'))
    )
    op.create_table('mapping_set_entries',
    sa.Column('set_version_id', sa.Uuid(), nullable=False),
    sa.Column('mapping_id', sa.Uuid(), nullable=False),
    sa.Column('revision_id', sa.Uuid(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mapping_id'], ['mappings.id'], name=op.f('fk_mapping_set_entries_mapping_id_mappings')),
    sa.ForeignKeyConstraint(['revision_id'], ['mapping_revisions.id'], name=op.f('fk_mapping_set_entries_revision_id_mapping_revisions')),
    sa.ForeignKeyConstraint(['set_version_id'], ['mapping_set_versions.id'], name=op.f('fk_mapping_set_entries_set_version_id_mapping_set_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_version_id', 'mapping_id', name=op.f('pk_mapping_set_entries'))
    )
    with op.batch_alter_table('mapping_set_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mapping_set_entries_revision_id'), ['revision_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mapping_set_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mapping_set_entries_revision_id'))

    op.drop_table('mapping_set_entries')
    op.drop_table('mapping_set_versions')
    with op.batch_alter_table('mapping_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mapping_sets_target_framework_id'))
        batch_op.drop_index(batch_op.f('ix_mapping_sets_source_framework_id'))
        batch_op.drop_index(batch_op.f('ix_mapping_sets_owner_organization_id'))

    op.drop_table('mapping_sets')
