"""itemhub's use cases and the ports they need; it imports the domain and nothing outside it."""
