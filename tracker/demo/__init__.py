"""Demo data so that every page has something to show."""
