"""Text normalisation shared by search indexing and querying: case- and accent-insensitive."""
import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents (NFKD, drop combining marks): 'Électricien' -> 'electricien'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def language_map_text(value) -> str:
    """All strings of a language map ({"en": "..."} or {"en": ["...", ...]}) joined for indexing."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    parts = []
    for item in value.values():
        if isinstance(item, list):
            parts.extend(str(x) for x in item)
        elif item:
            parts.append(str(item))
    return " ".join(parts)
