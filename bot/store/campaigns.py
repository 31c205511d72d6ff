"""Collectives: campaigns, followers, broadcasts (owned by the collectives work; see issue 8)."""
from __future__ import annotations


class CampaignStore:
    pass
