"""Webhooks: staff-registered HTTPS endpoints told of events, signed the Standard Webhooks way."""
