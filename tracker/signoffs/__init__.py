"""signoffs."""
