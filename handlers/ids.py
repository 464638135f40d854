"""Every slash command, action id and callback id the app registers, in one place.

The manifest test compares these with manifest.yml so the two can never drift.
"""

# Slash commands
TICKET_COMMAND = "/ticket"
DESKHAND_COMMAND = "/deskhand"
SLASH_COMMANDS = (TICKET_COMMAND, DESKHAND_COMMAND)

# Block action ids (buttons on cards)
TICKET_REFRESH = "ticket_refresh"
TICKET_SHOW_CUSTOMER = "ticket_show_customer"
BLOCK_ACTIONS = (TICKET_REFRESH, TICKET_SHOW_CUSTOMER)

# Shortcut callback ids and Events API event types (none yet; each capability adds its own here
# and in manifest.yml in the same change).
SHORTCUTS: tuple[str, ...] = ()
EVENTS: tuple[str, ...] = ()
