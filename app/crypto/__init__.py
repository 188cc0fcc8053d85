"""Keys, signing and key encryption at rest. No Flask and no database in this package."""
