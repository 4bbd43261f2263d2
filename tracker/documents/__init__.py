"""Uploaded files: judged by content, bounded in size, stored outside the web root under
generated names, served only to the people who may see them."""
