"""The web sandbox: a local Slack-like page in front of the real app and the sandboxes."""
