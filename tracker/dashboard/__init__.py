"""Each role's home page: its own to-do list drawn from the progress engine's items."""
