"""Process wiring: settings, the Bolt app, the HTTP gate and server, Socket Mode, the outbound
choke point, the scheduler and the command line."""
