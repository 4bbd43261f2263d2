"""admissions."""
