"""The append-only audit trail of every change of state, each event chained to the one before
by an HMAC with a key held outside the database."""
