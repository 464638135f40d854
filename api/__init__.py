"""The shared API layer: typed clients for ReadyDesk and Kickserv. It knows nothing of Slack."""
