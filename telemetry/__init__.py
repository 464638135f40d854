"""Deskhand's Prometheus metrics, defined once for every floor that records them.

Imports nothing of ours, so any floor above store/ may record here (bot/metrics.py serves them).
Every label value is a name Deskhand's own code chooses (a kind, a listener id, a backend, an
action, an outcome), never a person's data, typed text or a secret.
"""

import os

# In multiprocess mode prometheus-client writes to this directory from the first metric defined
# (telemetry.metrics, imported with the app): it must exist by then.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
