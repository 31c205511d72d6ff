"""The only module that talks to the database (sqlite-utils).

``Store`` is composed of one mixin per area so that each area keeps its queries in
its own file: ``core`` (users, sessions, key/value), ``reminders`` (deadlines and the
reminder queue), ``campaigns`` (collectives, followers, broadcasts).  Migrations are
numbered SQL files in ``migrations/``; a database newer than the code is refused.
"""
from .base import BaseStore, NewerDatabaseError, utcnow_iso  # noqa: F401
from .core import CoreStore
from .reminders import ReminderStore
from .campaigns import CampaignStore


class Store(CoreStore, ReminderStore, CampaignStore, BaseStore):
    pass


__all__ = ["Store", "NewerDatabaseError", "utcnow_iso"]
