"""Faithful fakes of ReadyDesk, Kickserv and Slack, served as ASGI apps, with seeded data."""
