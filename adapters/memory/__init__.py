"""The in-memory adapter: a first-class persistence adapter for tests and experiments."""

from adapters.memory.database import InMemoryDatabase
from adapters.memory.listing import InMemoryItemListing
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.memory.user_lookup import InMemoryUserLookup

__all__ = ["InMemoryDatabase", "InMemoryItemListing", "InMemoryUnitOfWork", "InMemoryUserLookup"]
