"""An enrollment's life after admission: withdrawal and readmission, leaves of absence, and
moves to another cohort or track, each recorded as a change with a date, a reason and who."""
