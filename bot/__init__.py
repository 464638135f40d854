"""Process wiring: settings, the Bolt app, the command line and the local console."""
