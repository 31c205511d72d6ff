"""Sample variables for templates that need them (used by test_templates)."""

SAMPLES = {
    "core/too_long": [{"limit": 2000}],
    "core/privacy_warning": [{"kinds": ["nir"]}, {"kinds": ["vitale", "code", "health"]}, {"kinds": ["phone"]}],
    "core/help": [{"commands": ["aide", "menu"], "direct": True}],
}
