"""Plain records every importer produces and the import service consumes."""
from dataclasses import dataclass, field


@dataclass
class FrameworkRecord:
    code: str
    title: str
    country: str
    version: str
    languages: list = field(default_factory=lambda: ["en"])
    description: str | None = None
    uri: str | None = None
    id: str | None = None  # a source identifier that is a UUID (CASE) becomes the registry id


@dataclass
class SkillRecord:
    code: str
    title: dict
    description: dict = field(default_factory=dict)
    uri: str | None = None
    skill_type: str | None = None
    id: str | None = None
    source_row: int | None = None


@dataclass
class StandardRecord:
    code: str
    title: dict
    description: dict = field(default_factory=dict)
    alt_labels: dict = field(default_factory=dict)
    level: str | None = None
    eqf_level: int | None = None
    isco08: str | None = None
    uri: str | None = None
    # Ordered skill map: (skill code, essential).
    skills: list = field(default_factory=list)
    id: str | None = None
    source_row: int | None = None


@dataclass
class ImportBundle:
    """Everything one import file (or pair of files) describes: one framework."""

    framework: FrameworkRecord
    skills: list
    standards: list
    source: str = ""
    # Rows the reader could not turn into records but that do not make the file malformed.
    rejected: list = field(default_factory=list)


@dataclass
class Rejection:
    file: str
    row: int | None
    code: str | None
    reason: str

    def as_dict(self):
        return {"file": self.file, "row": self.row, "code": self.code, "reason": self.reason}
