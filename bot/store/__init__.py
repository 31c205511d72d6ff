"""The only module that talks to the database (sqlite-utils).

``Store`` is composed of one mixin per area so that each area keeps its queries in
its own file: ``core`` (users, sessions, key/value), ``reminders`` (deadlines and the
reminder queue), ``campaigns`` (collectives, followers, broadcasts), ``matrix`` (what the Matrix backend
keeps to resume).  Migrations are
numbered SQL files in ``migrations/``; a database newer than the code is refused.
"""

from .base import NewerDatabaseError, utcnow_iso
from .core import CoreStore
from .reminders import ReminderStore
from .campaigns import CampaignStore
from .matrix import MatrixStore


class Store(CampaignStore, ReminderStore, MatrixStore, CoreStore):
    pass


__all__ = ["Store", "NewerDatabaseError", "utcnow_iso"]
