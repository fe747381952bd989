"""The in-memory adapter: a first-class persistence adapter for tests, demos and experiments."""

from adapters.memory.database import InMemoryDatabase

__all__ = ["InMemoryDatabase"]
