"""Marshmallow schemas for the API. This package imports nothing from app/."""
