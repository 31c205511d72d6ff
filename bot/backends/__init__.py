"""Backends are thin pipes: platform update -> Event, Reply -> platform message."""
