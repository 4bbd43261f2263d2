"""A trainee's whole training record: the page a supervisor (or staff) opens for one trainee,
and the PDF hours transcript with its stored, verifiable record."""
