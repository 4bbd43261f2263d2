"""Access rules, security headers and the request guards every route passes."""
