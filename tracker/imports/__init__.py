"""Importing didactic attendance exported by a learning management system (Moodle, Canvas, or
any layout staff map once per program), previewed row by row, committed as one batch."""
