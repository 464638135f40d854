"""The Slack side: Bolt listeners, one module per area, each with `register(app)`.

This package file stays empty so that `handlers.ids` can be read (by cards/) without loading
every listener.
"""
