"""Reusable fields and validators: countries, BCP 47 language maps, ISCO-08 codes."""
import re

from marshmallow import ValidationError, fields, validate

from schemas.countries import COUNTRY_CODES

# RFC 5646 language tag (langtag production, without the rarely used extlang and grandfathered forms).
BCP47 = re.compile(
    r"^(?:[A-Za-z]{2,3}|[A-Za-z]{5,8})"        # language
    r"(?:-[A-Za-z]{4})?"                       # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"          # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"   # extensions
    r"(?:-x(?:-[A-Za-z0-9]{1,8})+)?$"          # private use
)


def validate_country(value):
    if value not in COUNTRY_CODES:
        raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (upper case, e.g. 'PH')")


class Country(fields.String):
    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"example": "PH", "description": "ISO 3166-1 alpha-2"})
        super().__init__(validate=validate_country, **kwargs)


def validate_language_tag(tag):
    if not isinstance(tag, str) or not BCP47.match(tag):
        raise ValidationError(f"{tag!r} is not a BCP 47 language tag")


class LanguageMap(fields.Dict):
    """{"en": "Electrician", "ar": "..."}: keys are BCP 47 tags, values non-empty strings."""

    def __init__(self, max_length=20000, **kwargs):
        kwargs.setdefault("metadata", {"example": {"en": "Electrician"}, "description": "BCP 47 language map"})
        super().__init__(keys=fields.String(validate=validate_language_tag),
                         values=fields.String(validate=validate.Length(min=1, max=max_length)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):  # a bare string is taken as English, the common case in forms
            value = {"en": value}
        result = super()._deserialize(value, attr, data, **kwargs)
        if self.required and not result:
            raise ValidationError("needs at least one language")
        return result


class LanguageListMap(fields.Dict):
    """{"en": ["sparky", "wireman"]}: alternative labels per language."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"example": {"en": ["wireman"]}})
        super().__init__(keys=fields.String(validate=validate_language_tag),
                         values=fields.List(fields.String(validate=validate.Length(min=1, max=1000))), **kwargs)


ISCO08 = re.compile(r"^[0-9]{1,4}$")


class Isco08(fields.String):
    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"example": "7411"})
        super().__init__(validate=validate.Regexp(ISCO08, error="ISCO-08 codes are 1 to 4 digits, e.g. '7411'"),
                         **kwargs)


class Level(fields.String):
    """A framework level; numbers are accepted and kept as text ("3")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("level must be text or a number")
        if isinstance(value, (int, float)):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)
