"""Cards and threads that stay live in channels: what listeners record when a card is shared or a
record changed, and what workers refresh. Used by handlers/ and workers/, importing neither."""
