"""The way to try Deskhand without Slack: the console and the web sandbox page, in front of the
real app (bot/) and the sandboxes. The floor above bot/, which never imports it."""
