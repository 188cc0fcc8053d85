"""SQLAlchemy models; importing this package registers every table on Base.metadata."""
from app.models.crosswalks import ClassificationCrosswalk
from app.models.organizations import ApiClient, Organization
from app.models.accreditations import Accreditation, AccreditationStandard
from app.models.agreements import Agreement, AgreementParty, AgreementSignature
from app.models.keys import SigningKey
from app.models.mappings import Mapping, MappingRevision, SkillMapping
from app.models.mapping_sets import MappingSet, MappingSetEntry, MappingSetVersion
from app.models.standards import Framework, Skill, Standard, StandardSkill, StandardVersion

__all__ = [
    "Accreditation",
    "AccreditationStandard",
    "Agreement",
    "AgreementParty",
    "AgreementSignature",
    "ApiClient",
    "ClassificationCrosswalk",
    "Framework",
    "Mapping",
    "MappingRevision",
    "MappingSet",
    "MappingSetEntry",
    "MappingSetVersion",
    "Organization",
    "SigningKey",
    "Skill",
    "SkillMapping",
    "Standard",
    "StandardSkill",
    "StandardVersion",
]
