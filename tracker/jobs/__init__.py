"""Background work: jobs written in the transaction of the change that asks for them (an
outbox), run by `flask worker` outside any request."""
