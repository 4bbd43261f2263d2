"""What every request shares: request ids, access enforcement, headers, errors, health, home."""
