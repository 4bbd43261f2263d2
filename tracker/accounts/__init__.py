"""People and their access: accounts, roles, sign-in sessions, invitations and password resets."""
