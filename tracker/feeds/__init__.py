"""Private calendar feeds: each person's due dates as an iCalendar (RFC 5545) feed."""
