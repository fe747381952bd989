"""itemhub's business core: entities, value objects, policies and errors; standard library only."""
