"""Account administration: find people, invite them, change roles, deactivate."""
