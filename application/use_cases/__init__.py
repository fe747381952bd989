"""One class per use case, named by its verb; each `__call__` is one unit of work."""
