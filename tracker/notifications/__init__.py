"""Notifications: a notice to one person about something that happened to a record of theirs
(an entry returned, a certificate issued...), kept in their in-app inbox for 90 days and,
by the person's choice per kind, e-mailed at once, gathered in the daily digest, or not
e-mailed at all. Domains call `notify` from the service that did the act, in its transaction."""
