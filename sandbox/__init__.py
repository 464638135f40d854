"""Faithful fakes of ReadyDesk, Kickserv and Slack, served as ASGI apps, with seeded data."""

import importlib.util
import sys

# httpx's ASGITransport, which carries every request to the in-process fakes, runs
# `import sniffio` on each one to ask whether trio is running. sniffio is not installed, so each
# request paid a failed import: a search of every sys.path entry. Marking it absent makes the
# same import fail at once, with the same ImportError; if sniffio is ever installed, it is used.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]
