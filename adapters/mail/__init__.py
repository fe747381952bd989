"""Mailers: the SMTP client for production, the log for development, a list for tests."""
