"""mappings

Revision ID: 60b664cbe09e
Revises: 15b22ab61573
Create Date: 2026-12-01 20:29:30.868554
"""
from alembic import op
import sqlalchemy as sa

import app.db  # noqa: F401  custom column types


revision = '60b664cbe09e'
down_revision = '15b22ab61573'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mappings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('source_standard_id', sa.Uuid(), nullable=False),
    sa.Column('target_standard_id', sa.Uuid(), nullable=False),
    sa.Column('author_organization_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_organization_id'], ['organizations.id'], name=op.f('fk_mappings_author_organization_id_organizations')),
    sa.ForeignKeyConstraint(['source_standard_id'], ['standards.id'], name=op.f('fk_mappings_source_standard_id_standards')),
    sa.ForeignKeyConstraint(['target_standard_id'], ['standards.id'], name=op.f('fk_mappings_target_standard_id_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mappings')),
    sa.UniqueConstraint('source_standard_id', 'target_standard_id', 'author_organization_id', name=op.f('uq_mappings_source_standard_id_target_standard_id_author_organization_id'))
    )
    op.create_table('mapping_revisions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('mapping_id', sa.Uuid(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source_standard_id', sa.Uuid(), nullable=False),
    sa.Column('target_standard_id', sa.Uuid(), nullable=False),
    sa.Column('source_version_id', sa.Uuid(), nullable=False),
    sa.Column('target_version_id', sa.Uuid(), nullable=False),
    sa.Column('predicate', sa.String(length=40), nullable=False),
    sa.Column('predicate_modifier', sa.String(length=10), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('justification', sa.String(length=100), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('author_organization_id', sa.Uuid(), nullable=False),
    sa.Column('author_label', sa.String(length=300), nullable=True),
    sa.Column('reviewer_organization_id', sa.Uuid(), nullable=True),
    sa.Column('reviewer_label', sa.String(length=300), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('reviewed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deprecated_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('coverage', sa.JSON(), nullable=False),
    sa.Column('reverse_coverage', sa.JSON(), nullable=False),
    sa.CheckConstraint("predicate_modifier IS NULL OR predicate_modifier = 'Not'", name=op.f('ck_mapping_revisions_predicate_modifier')),
    sa.CheckConstraint("status IN ('candidate', 'validated', 'rejected', 'deprecated')", name=op.f('ck_mapping_revisions_status')),
    sa.CheckConstraint('confidence IS NULL OR (confidence >= 0 AND confidence <= 1)', name=op.f('ck_mapping_revisions_confidence')),
    sa.ForeignKeyConstraint(['author_organization_id'], ['organizations.id'], name=op.f('fk_mapping_revisions_author_organization_id_organizations')),
    sa.ForeignKeyConstraint(['mapping_id'], ['mappings.id'], name=op.f('fk_mapping_revisions_mapping_id_mappings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_organization_id'], ['organizations.id'], name=op.f('fk_mapping_revisions_reviewer_organization_id_organizations')),
    sa.ForeignKeyConstraint(['source_standard_id'], ['standards.id'], name=op.f('fk_mapping_revisions_source_standard_id_standards')),
    sa.ForeignKeyConstraint(['source_version_id'], ['standard_versions.id'], name=op.f('fk_mapping_revisions_source_version_id_standard_versions')),
    sa.ForeignKeyConstraint(['target_standard_id'], ['standards.id'], name=op.f('fk_mapping_revisions_target_standard_id_standards')),
    sa.ForeignKeyConstraint(['target_version_id'], ['standard_versions.id'], name=op.f('fk_mapping_revisions_target_version_id_standard_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_revisions')),
    sa.UniqueConstraint('mapping_id', 'revision', name=op.f('uq_mapping_revisions_mapping_id_revision'))
    )
    with op.batch_alter_table('mapping_revisions', schema=None) as batch_op:
        batch_op.create_index('ix_mapping_revisions_source', ['source_standard_id', 'is_current', 'status'], unique=False)
        batch_op.create_index('ix_mapping_revisions_target', ['target_standard_id', 'is_current', 'status'], unique=False)

    op.create_table('skill_mappings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('revision_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source_skill_id', sa.Uuid(), nullable=False),
    sa.Column('target_skill_id', sa.Uuid(), nullable=False),
    sa.Column('predicate', sa.String(length=40), nullable=False),
    sa.Column('predicate_modifier', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['revision_id'], ['mapping_revisions.id'], name=op.f('fk_skill_mappings_revision_id_mapping_revisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_skill_id'], ['skills.id'], name=op.f('fk_skill_mappings_source_skill_id_skills')),
    sa.ForeignKeyConstraint(['target_skill_id'], ['skills.id'], name=op.f('fk_skill_mappings_target_skill_id_skills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_mappings'))
    )
    with op.batch_alter_table('skill_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_mappings_revision_id'), ['revision_id'], unique=False)



def downgrade():
    with op.batch_alter_table('skill_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_mappings_revision_id'))

    op.drop_table('skill_mappings')
    with op.batch_alter_table('mapping_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_mapping_revisions_target')
        batch_op.drop_index('ix_mapping_revisions_source')

    op.drop_table('mapping_revisions')
    op.drop_table('mappings')
