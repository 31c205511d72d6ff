"""Conversations, one module per flow.  Flows are data (tables of states) and import
no transport library; every user-facing sentence is a template under ``locales/``."""
