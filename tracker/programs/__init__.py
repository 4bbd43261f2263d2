"""Programs, their tracks and cohorts, and versioned requirement sets."""
