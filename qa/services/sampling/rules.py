"""What every part of the sampler agrees on: the strata, what can be sampled, the risk signals."""

from __future__ import annotations

from ...i18n import N_
from ...models import Status

RANDOM, RISK = "random", "risk"
# Text is available: a reviewer can work on it. Pending, transcribing and failed calls cannot.
SAMPLEABLE = (Status.TRANSCRIBED, Status.SCORED)
# The top decile of handle time in the week counts as "long".
LONG_HANDLE_RANK = 0.9

# (key on the policy, label stored as risk_reason), in tie-break order.
RISK_SIGNALS = (
    ("csat", "low CSAT"),
    ("escalated", "escalated"),
    ("autoqa", "low AutoQA"),
    ("handle_time", "long handle time"),
    # call analytics (issue 16): a silence of at least the policy's dead_air_seconds
    ("dead_air", "long dead air"),
    # issue 20: an AutoQA score the model is unsure of (scoring/conformal.py), so reviewers
    # label what the next `train --from-reviews` learns most from (active learning)
    ("uncertain", "uncertain AutoQA"),
)
# the labels, for the translation catalogue (the stored risk_reason stays English)
_LABELS = (N_("low CSAT"), N_("escalated"), N_("low AutoQA"), N_("long handle time"),
           N_("long dead air"), N_("uncertain AutoQA"))  # fmt: skip


class SamplingError(ValueError):
    """The sampling request was invalid; the message says why."""
