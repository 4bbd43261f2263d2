"""Models of this area (filled in with its records)."""
