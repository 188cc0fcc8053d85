"""keys and accreditations: one active signing key per organisation; the trust registry

Revision ID: aae6191201fb
Revises: 60b664cbe09e
Create Date: 2026-12-01 20:31:42.728030
"""
from alembic import op
import sqlalchemy as sa

import app.db  # noqa: F401  custom column types


revision = 'aae6191201fb'
down_revision = '60b664cbe09e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accreditations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('certification_body_id', sa.Uuid(), nullable=False),
    sa.Column('accredited_by_id', sa.Uuid(), nullable=False),
    sa.Column('framework_id', sa.Uuid(), nullable=False),
    sa.Column('whole_framework', sa.Boolean(), nullable=False),
    sa.Column('valid_from', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('revoked_at IS NULL OR revocation_reason IS NOT NULL', name=op.f('ck_accreditations_revocation_reason')),
    sa.CheckConstraint('valid_until > valid_from', name=op.f('ck_accreditations_validity')),
    sa.ForeignKeyConstraint(['accredited_by_id'], ['organizations.id'], name=op.f('fk_accreditations_accredited_by_id_organizations')),
    sa.ForeignKeyConstraint(['certification_body_id'], ['organizations.id'], name=op.f('fk_accreditations_certification_body_id_organizations')),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_accreditations_framework_id_frameworks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditations'))
    )
    with op.batch_alter_table('accreditations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accreditations_accredited_by_id'), ['accredited_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accreditations_framework_id'), ['framework_id'], unique=False)
        batch_op.create_index('ix_accreditations_lookup', ['certification_body_id', 'framework_id', 'valid_from'], unique=False)

    op.create_table('accreditation_standards',
    sa.Column('accreditation_id', sa.Uuid(), nullable=False),
    sa.Column('standard_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['accreditation_id'], ['accreditations.id'], name=op.f('fk_accreditation_standards_accreditation_id_accreditations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_accreditation_standards_standard_id_standards')),
    sa.PrimaryKeyConstraint('accreditation_id', 'standard_id', name=op.f('pk_accreditation_standards'))
    )
    with op.batch_alter_table('accreditation_standards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accreditation_standards_standard_id'), ['standard_id'], unique=False)

    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.create_index('uq_signing_keys_one_active_organization_key', ['organization_id', 'purpose'], unique=True, sqlite_where=sa.text("organization_id IS NOT NULL AND status = 'active'"), postgresql_where=sa.text("organization_id IS NOT NULL AND status = 'active'"))



def downgrade():
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.drop_index('uq_signing_keys_one_active_organization_key', sqlite_where=sa.text("organization_id IS NOT NULL AND status = 'active'"), postgresql_where=sa.text("organization_id IS NOT NULL AND status = 'active'"))

    with op.batch_alter_table('accreditation_standards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accreditation_standards_standard_id'))

    op.drop_table('accreditation_standards')
    with op.batch_alter_table('accreditations', schema=None) as batch_op:
        batch_op.drop_index('ix_accreditations_lookup')
        batch_op.drop_index(batch_op.f('ix_accreditations_framework_id'))
        batch_op.drop_index(batch_op.f('ix_accreditations_accredited_by_id'))

    op.drop_table('accreditations')
