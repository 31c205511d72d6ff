"""Sample variables for the collectives' templates changed or added by issue 19 (they replace
the samples of tests/samples_campaign.py for the same keys)."""
from tests.samples_campaign import SAMPLES as _OLD

_WARN = ["phone", "health"]

SAMPLES = {
    "campaign/preview_schedule": [dict(v, warn=[]) for v in _OLD["campaign/preview_schedule"]]
    + [dict(_OLD["campaign/preview_schedule"][0], warn=_WARN)],
    "campaign/bcast_confirm": [dict(v, warn=[]) for v in _OLD["campaign/bcast_confirm"]]
    + [dict(_OLD["campaign/bcast_confirm"][0], warn=["nir"])],
    "campaign/personal_warning": [{"kinds": _WARN}, {"kinds": ["nir", "code"]}],
}
