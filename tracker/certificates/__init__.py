"""Certificates (step 8's outcome and step 9's renewal): staff issue and revoke them, each has a
PDF and a public verification page, and its renewal cycles of continuing education decide whether it
is current or lapsed."""
