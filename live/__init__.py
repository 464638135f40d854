"""What keeps Deskhand's messages alive in Slack: the cards and threads that stay live in channels
(what listeners record when a card is shared or a record changed, and what workers refresh), and
the rules every post is delivered by (delivery.py). Used by bot/, handlers/ and workers/, importing
none of them."""
