"""Every slash command, action id and callback id the app registers, in one place.

The manifest test compares these with manifest.yml so the two can never drift.
"""

# Slash commands. Every one also works as `/deskhand <name> …`, so a workspace where another
# app owns a short name can drop it from the manifest.
TICKET_COMMAND = "/ticket"
TICKETS_COMMAND = "/tickets"
CUSTOMER_COMMAND = "/customer"
JOB_COMMAND = "/job"
NOTE_COMMAND = "/note"
DIGEST_COMMAND = "/digest"
DESKHAND_COMMAND = "/deskhand"
SLASH_COMMANDS = (
    TICKET_COMMAND,
    TICKETS_COMMAND,
    CUSTOMER_COMMAND,
    JOB_COMMAND,
    NOTE_COMMAND,
    DIGEST_COMMAND,
    DESKHAND_COMMAND,
)

# Block action ids (buttons on cards)
TICKET_REFRESH = "ticket_refresh"
TICKET_SHOW_CUSTOMER = "ticket_show_customer"
TICKET_OPEN_WEB = "ticket_open_web"
TICKETS_OPEN = "tickets_open"
TICKETS_PAGE_PREVIOUS = "tickets_page_previous"
TICKETS_PAGE_NEXT = "tickets_page_next"
CUSTOMER_PICK = "customer_pick"
JOB_REFRESH = "job_refresh"
JOB_SHOW_CUSTOMER = "job_show_customer"
JOB_SHOW_NOTES = "job_show_notes"
SHARE_CARD = "share_card"
ADD_NOTE = "add_note"
TICKET_ASSIGN_ME = "ticket_assign_me"
TICKET_SET_STATUS = "ticket_set_status"
TICKET_CLOSE = "ticket_close"
CREATE_JOB = "create_job"
BOOK_VISIT = "book_visit"
JOB_TRY_AGAIN = "job_try_again"
TICKET_TRY_AGAIN = "ticket_try_again"
DIGEST_SHOW_TICKETS = "digest_show_tickets"
DIGEST_PAUSE = "digest_pause"
NOTE_TRY_AGAIN = "note_try_again"
# A job card's steps of a technician's day (written as the job's assigned employee or a writer)
JOB_ON_MY_WAY = "job_on_my_way"
JOB_STARTED = "job_started"
JOB_DONE = "job_done"
RUNSHEET_OPEN = "runsheet_open"  # a run-sheet's Open: the job's card
# The ephemeral answer to the ticket reaction: opens the Create ticket form on the message
CREATE_TICKET_FROM_REACTION = "create_ticket_from_reaction"
# The Home tab's buttons
HOME_REFRESH = "home_refresh"
HOME_OPEN = "home_open"
HOME_NEW_TICKET = "home_new_ticket"
HOME_NEW_JOB = "home_new_job"
HOME_FIND_CUSTOMER = "home_find_customer"
BLOCK_ACTIONS = (
    TICKET_REFRESH,
    TICKET_SHOW_CUSTOMER,
    TICKET_OPEN_WEB,
    TICKETS_OPEN,
    TICKETS_PAGE_PREVIOUS,
    TICKETS_PAGE_NEXT,
    CUSTOMER_PICK,
    JOB_REFRESH,
    JOB_SHOW_CUSTOMER,
    JOB_SHOW_NOTES,
    SHARE_CARD,
    ADD_NOTE,
    NOTE_TRY_AGAIN,
    CREATE_TICKET_FROM_REACTION,
    TICKET_ASSIGN_ME,
    TICKET_SET_STATUS,
    TICKET_CLOSE,
    CREATE_JOB,
    BOOK_VISIT,
    JOB_TRY_AGAIN,
    TICKET_TRY_AGAIN,
    DIGEST_SHOW_TICKETS,
    DIGEST_PAUSE,
    JOB_ON_MY_WAY,
    JOB_STARTED,
    JOB_DONE,
    RUNSHEET_OPEN,
    HOME_REFRESH,
    HOME_OPEN,
    HOME_NEW_TICKET,
    HOME_NEW_JOB,
    HOME_FIND_CUSTOMER,
)

# What writes to a backend, each listener behind `writers_only` (a test checks it; a job's steps
# behind `writers_or_assigned`, which also lets the job's assigned employee press them): the
# buttons and selects that write at once, and the forms whose submit writes. Every other button
# and the message shortcuts only open one of these forms (or read, or share a card in Slack).
# Book a visit opens the job form, but for writers only (the form would only refuse them).
JOB_STEPS = (JOB_ON_MY_WAY, JOB_STARTED, JOB_DONE)
WRITE_ACTIONS = (
    TICKET_ASSIGN_ME,
    TICKET_SET_STATUS,
    TICKET_CLOSE,
    DIGEST_PAUSE,
    BOOK_VISIT,
    *JOB_STEPS,
)

# External-select options (typeahead)
CUSTOMER_PICKER = "customer_picker"
OPTIONS = (CUSTOMER_PICKER,)

# Modal callback ids
NOTE_MODAL = "note_modal"
JOB_MODAL = "job_modal"
TICKET_MODAL = "ticket_modal"
FIND_CUSTOMER_MODAL = "find_customer_modal"
VIEWS = (NOTE_MODAL, JOB_MODAL, TICKET_MODAL, FIND_CUSTOMER_MODAL)
WRITE_VIEWS = (NOTE_MODAL, JOB_MODAL, TICKET_MODAL)  # Find customer only reads
# A card shown in a modal (what a Home button answers): it has no submit; its buttons are the
# card's own, answered in the modal (handlers/card_modal.py), and its closing republishes Home.
CARD_MODAL = "card_modal"
CLOSED_VIEWS = (CARD_MODAL,)  # modals whose closing is listened to (notify_on_close)

# Message shortcut callback ids
ADD_AS_NOTE = "add_as_note"
CREATE_TICKET_FROM_MESSAGE = "create_ticket_from_message"
CREATE_JOB_FROM_MESSAGE = "create_job_from_message"
SHORTCUTS = (ADD_AS_NOTE, CREATE_TICKET_FROM_MESSAGE, CREATE_JOB_FROM_MESSAGE)

# Events API event types (each capability adds its own here and in manifest.yml).
APP_HOME_OPENED = "app_home_opened"
LINK_SHARED = "link_shared"
# Messages: one listener; Slack subscribes to them per kind of conversation (public, private).
MESSAGE = "message"
MESSAGE_EVENTS = ("message.channels", "message.groups")
REACTION_ADDED = "reaction_added"
EVENTS: tuple[str, ...] = (APP_HOME_OPENED, LINK_SHARED, REACTION_ADDED, *MESSAGE_EVENTS)
# The event types listeners register: the manifest's names before any `.<conversation kind>`.
LISTENED_EVENTS = tuple(dict.fromkeys(name.split(".")[0] for name in EVENTS))

# Bot scopes: commands; chat:write and chat:write.public for Share in channel; users:read and
# users:read.email to match Slack users to technicians (tech:me); usergroups:read for
# DESKHAND_WRITERS' user groups; links:read and links:write to unfurl links to records;
# channels:history and groups:history to look for a digest or alert whose post may have landed
# (its slot in the message metadata) before posting it again, to hear replies in synced
# threads and to read the message a reaction is on; channels:join for `/deskhand threads on` in
# a public channel; reactions:write to mark a reply written as a note; reactions:read for the
# reactions that act (reaction_added).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "users:read.email",
    "usergroups:read",
    "links:read",
    "links:write",
    "channels:history",
    "groups:history",
    "channels:join",
    "reactions:write",
    "reactions:read",
)

# The domains links unfurl on in manifest.yml: the default KICKSERV_WEB_URL's. `deskhand
# manifest` lists the configured READYDESK_WEB_URL's and KICKSERV_WEB_URL's instead.
UNFURL_DOMAINS = ("app.kickserv.com",)

# Workflow Builder custom steps (Slack "functions"): their callback ids, kept as issue 29 named
# them so a workflow built today keeps working. Only `deskhand manifest --workflow-steps` declares
# them (cards/steps.py describes their inputs and outputs); the default manifest has none.
STEP_CREATE_TICKET = "create_ticket"
STEP_ADD_NOTE = "add_note"
STEP_FIND_CUSTOMER = "find_customer"
STEP_LOOK_UP_TICKET = "look_up_ticket"
STEP_CREATE_JOB = "create_job"
STEP_BOOK_VISIT = "book_visit"
STEPS = (
    STEP_CREATE_TICKET,
    STEP_ADD_NOTE,
    STEP_FIND_CUSTOMER,
    STEP_LOOK_UP_TICKET,
    STEP_CREATE_JOB,
    STEP_BOOK_VISIT,
)
# The event Slack sends when a workflow reaches one of them (only with the steps declared).
FUNCTION_EXECUTED = "function_executed"
WRITE_STEPS = (
    STEP_CREATE_TICKET,
    STEP_ADD_NOTE,
    STEP_CREATE_JOB,
    STEP_BOOK_VISIT,
)  # each needs an interactor
