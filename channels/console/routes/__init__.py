"""The console's routes, by area: logging in, handoffs (agents), the privacy officer's pages."""
