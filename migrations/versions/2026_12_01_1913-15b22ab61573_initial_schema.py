"""initial schema

Revision ID: 15b22ab61573
Revises: 
Create Date: 2026-12-01 19:13:17.304518
"""
from alembic import op
import sqlalchemy as sa

import app.db


revision = '15b22ab61573'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organizations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('certification_body', 'recognition_authority', 'employer', 'reintegration_office')", name=op.f('ck_organizations_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organizations_slug'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_country'), ['country'], unique=False)

    op.create_table('api_clients',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(role = 'admin' AND organization_id IS NULL) OR (role = 'organization' AND organization_id IS NOT NULL)", name=op.f('ck_api_clients_role_organization')),
    sa.CheckConstraint("role IN ('admin', 'organization')", name=op.f('ck_api_clients_role')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_api_clients_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_api_clients_client_id'))
    )
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_clients_organization_id'), ['organization_id'], unique=False)

    op.create_table('frameworks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('version', sa.String(length=50), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('uri', sa.String(length=500), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_frameworks_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frameworks')),
    sa.UniqueConstraint('country', 'code', 'version', name=op.f('uq_frameworks_country_code_version'))
    )
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_frameworks_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_frameworks_organization_id'), ['organization_id'], unique=False)

    op.create_table('signing_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('kid', sa.String(length=300), nullable=False),
    sa.Column('algorithm', sa.String(length=20), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('private_key_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('compromised_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('active', 'retired', 'compromised')", name=op.f('ck_signing_keys_status')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_signing_keys_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_signing_keys_kid'))
    )
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_keys_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_signing_keys_one_active_registry_key', ['purpose'], unique=True, sqlite_where=sa.text("organization_id IS NULL AND status = 'active'"), postgresql_where=sa.text("organization_id IS NULL AND status = 'active'"))

    op.create_table('skills',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('framework_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('uri', sa.String(length=500), nullable=True),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('skill_type', sa.String(length=40), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_skills_framework_id_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skills')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_skills_framework_id_code'))
    )
    with op.batch_alter_table('skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skills_uri'), ['uri'], unique=False)

    op.create_table('standards',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('framework_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_standards_framework_id_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standards')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_standards_framework_id_code'))
    )
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.create_index('ix_standards_ranking', ['id', 'framework_id', 'code'], unique=False)
        batch_op.create_index('ix_standards_code', ['code', 'id', 'framework_id'], unique=False)

    op.create_table('standard_versions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('standard_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('alt_labels', sa.JSON(), nullable=False),
    sa.Column('level', sa.String(length=50), nullable=True),
    sa.Column('eqf_level', sa.Integer(), nullable=True),
    sa.Column('isco08', sa.String(length=4), nullable=True),
    sa.Column('uri', sa.String(length=500), nullable=True),
    sa.Column('search_id', sa.BigInteger(), nullable=False),
    sa.Column('title_key', sa.String(length=500), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('is_latest', sa.Boolean(), nullable=False),
    sa.Column('is_public_head', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('retired_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'published', 'retired')", name=op.f('ck_standard_versions_status')),
    sa.CheckConstraint('eqf_level IS NULL OR (eqf_level BETWEEN 1 AND 8)', name=op.f('ck_standard_versions_eqf_level')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_standard_versions_standard_id_standards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_versions')),
    sa.UniqueConstraint('search_id', name=op.f('uq_standard_versions_search_id')),
    sa.UniqueConstraint('standard_id', 'version', name=op.f('uq_standard_versions_standard_id_version'))
    )
    with op.batch_alter_table('standard_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_versions_isco08'), ['isco08'], unique=False)
        batch_op.create_index('ix_standard_versions_latest', ['standard_id', 'is_latest'], unique=False)
        batch_op.create_index('ix_standard_versions_public_head', ['is_public_head', 'standard_id'], unique=False)
        batch_op.create_index('ix_standard_versions_heads', ['standard_id', 'is_public_head', 'is_latest', 'id'], unique=False)
        batch_op.create_index('ix_standard_versions_search', ['search_id', 'is_public_head', 'is_latest', 'status', 'title_key', 'isco08', 'level', 'standard_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_versions_uri'), ['uri'], unique=False)

    op.create_table('standard_skills',
    sa.Column('standard_version_id', sa.Uuid(), nullable=False),
    sa.Column('skill_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('essential', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_standard_skills_skill_id_skills')),
    sa.ForeignKeyConstraint(['standard_version_id'], ['standard_versions.id'], name=op.f('fk_standard_skills_standard_version_id_standard_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('standard_version_id', 'skill_id', name=op.f('pk_standard_skills'))
    )
    with op.batch_alter_table('standard_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_skills_skill_id'), ['skill_id'], unique=False)


    create_search_index()


def downgrade():
    drop_search_index()
    with op.batch_alter_table('standard_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_skills_skill_id'))

    op.drop_table('standard_skills')
    with op.batch_alter_table('standard_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_versions_uri'))
        batch_op.drop_index('ix_standard_versions_public_head')
        batch_op.drop_index('ix_standard_versions_latest')
        batch_op.drop_index(batch_op.f('ix_standard_versions_isco08'))

    op.drop_table('standard_versions')
    op.drop_table('standards')
    with op.batch_alter_table('skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skills_uri'))

    op.drop_table('skills')
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.drop_index('uq_signing_keys_one_active_registry_key', sqlite_where=sa.text("organization_id IS NULL AND status = 'active'"), postgresql_where=sa.text("organization_id IS NULL AND status = 'active'"))
        batch_op.drop_index(batch_op.f('ix_signing_keys_organization_id'))

    op.drop_table('signing_keys')
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_frameworks_organization_id'))
        batch_op.drop_index(batch_op.f('ix_frameworks_country'))

    op.drop_table('frameworks')
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_clients_organization_id'))

    op.drop_table('api_clients')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_country'))

    op.drop_table('organizations')


def create_search_index():
    """Full-text index of standard versions; see app/services/search_index.py."""
    if op.get_bind().dialect.name == "sqlite":
        # The rowid is standard_versions.search_id.
        op.execute(
            "CREATE VIRTUAL TABLE standard_search USING fts5("
            "title, labels, description, skills, tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE TABLE standard_search ("
            "search_id BIGINT PRIMARY KEY REFERENCES standard_versions (search_id) ON DELETE CASCADE, "
            "document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_standard_search_document ON standard_search USING GIN (document)")


def drop_search_index():
    op.execute("DROP TABLE IF EXISTS standard_search")
