"""SQLAlchemy models; importing this package registers every table on Base.metadata."""
from app.models.organizations import ApiClient, Organization
from app.models.keys import SigningKey
from app.models.mappings import Mapping, MappingRevision, SkillMapping
from app.models.standards import Framework, Skill, Standard, StandardSkill, StandardVersion

__all__ = [
    "ApiClient",
    "Framework",
    "Mapping",
    "MappingRevision",
    "Organization",
    "SigningKey",
    "Skill",
    "SkillMapping",
    "Standard",
    "StandardSkill",
    "StandardVersion",
]
