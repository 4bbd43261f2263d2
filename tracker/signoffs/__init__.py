"""Sign-offs: the supervisor's electronic signature on a supervised session and the verification of
logged didactic and experiential hours, each bound to the record's content, with the question
thread of each entry, reopening by staff and the daily reminder digests."""
