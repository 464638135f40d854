"""Splitting a long ticket note: every character once, in order, each part fitting as encoded."""

from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from api.note_parts import label, split_note

LIMIT = 600


def _fits(note: str) -> bool:
    return len(quote(note)) <= LIMIT  # ReadyDesk's limit is on the encoded URL


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=3000), author=st.text(min_size=1, max_size=30))
def test_parts_join_to_the_text_and_each_fits_labelled_and_signed(text, author):
    parts = split_note(text, author, _fits)
    assert "".join(parts) == text
    if len(parts) > 1:
        sign = f"\n— {author} via Slack · ref 0123ABCD"
        assert all(_fits(label(n, len(parts)) + p + sign) for n, p in enumerate(parts, 1))


def test_no_room_for_even_one_character_leaves_the_note_whole():
    assert split_note("é" * 500, "A name far too long " * 40, _fits) == ["é" * 500]
