"""What the bot knows: the fact sheet (``facts.toml``) and its accessors.  Imports only the ground."""
