"""Ground layer: configuration, logs, metrics, the clock, the data-folder lock, health state,
terminal pipes.  Everything may import it; it imports nothing else from the bot."""
