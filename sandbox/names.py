"""The sandbox help desk's vocabulary: its lists (as the fake's configuration gives them), the
people, and the words seeded and new tickets are made of."""

STATUSES = ("Open", "Assigned", "Awaiting Response", "Escalated", "Closed")
PRIORITIES = ("Low", "Normal", "High", "Urgent")
SOURCES = ("Email", "Customer Call", "Customer Portal", "Web Ticketing System", "Live Support Chat")
CATEGORIES = {
    "Hardware": ("Printer", "Laptop", "Network Device"),
    "Software": ("Email", "Accounting", "Operating System"),
    "Network": ("VPN", "Wi-Fi", "Internet"),
    "Other": ("",),
}
ESCALATION_LEVELS = ("", "", "", "Level 1", "Level 2")
# The README's and `/deskhand help`'s examples name these: `group:"Field Team"`, `tech:jsmith`.
GROUPS = ((1, "Tier 1"), (2, "Field Team"), (3, "Network Team"))
TECHNICIANS = (
    ("guest", "Guest Technician", 1),
    ("alice", "Alice Moreno", 1),
    ("bob", "Bob Okafor", 2),
    ("carol", "Carol Nguyen", 3),
    ("jsmith", "Jordan Smith", 2),
)
SUBJECTS = (
    "Printer offline in {place}",
    "VPN drops every hour",
    "Cannot send email from {place}",
    "Laptop will not boot after update",
    "Wi-Fi slow in {place}",
    "Accounting software licence expired",
    "New starter needs an account",
    "Phone system crackling on line 2",
    "Backup job failed overnight",
    "Shared drive permissions for {place}",
)
PLACES = ("reception", "the warehouse", "accounts", "the back office", "site B", "the showroom")
SUMMARIES = (
    "Customer reports the problem started this morning. Restarting did not help.",
    "Second time this week. They need it fixed before the end of the day.",
    "Happens intermittently; the user has screenshots if needed.",
    "Affects the whole team. Please call the office manager before visiting.",
)
FIRST_NAMES = ("John", "Maria", "Wei", "Aisha", "Tom", "Priya", "Lars", "Fatima", "Diego", "Hannah")
LAST_NAMES = (
    "Smith",
    "Garcia",
    "Chen",
    "Khan",
    "Brown",
    "Patel",
    "Jensen",
    "Ali",
    "Lopez",
    "Fischer",
)
COMPANY_WORDS = (
    ("Acme", "Blue Ridge", "Cedar", "Delta", "Evergreen", "Falcon", "Granite", "Harbor"),
    ("Dental", "Plumbing", "Logistics", "Bakery", "Law Group", "Motors", "Realty", "Clinic"),
)
STREETS = ("Peachtree St", "Oak Ave", "Main St", "Pine Rd", "Maple Dr", "Elm Ct")
CITIES = (("Atlanta", "GA", "303"), ("Lansing", "MI", "489"), ("Austin", "TX", "787"))

# The customer the README's `/customer weasel works`, `/customer 555-0142` and
# `/job new weasel works` find, in both systems (it is the second seeded customer).
WEASEL_WORKS = {
    "customer_id": "weasel",
    "company_name": "Weasel Works",
    "contact": "Wendy Wexler",
    "phone": "555-0142",
    "email": "office@weaselworks.example",
    "address": "42 Burrow Lane",
}
