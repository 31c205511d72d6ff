"""Background jobs: reminders (scheduler), broadcasts, and send pacing."""
