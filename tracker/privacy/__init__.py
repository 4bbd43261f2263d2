"""A trainee's right to take their data with them."""
