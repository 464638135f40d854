"""The ReadyDesk fake answers in the documented shapes: the seed pages' examples (copied under
tests/fixtures/readydesk/) and the fake's reply to the same request name the same fields, in the
same order, in all three formats."""

import json
from datetime import date

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from sandbox import readydesk_wire as wire
from sandbox.data import seeded
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from tests.conftest import fixture_text

EXAMPLES = {  # the seed's example request -> its example reply
    "get_tickets": ("tid", "readydesk/get_tickets_34"),
    "get_customers": ("cid", "readydesk/get_customers_demo"),
}


async def _reply(action: str, **variables: str) -> str:
    # A fixed day: the customers' join date (5 January, 8:00) is in the replies below.
    app = build_readydesk_app(seeded(tickets=3, customers=3, today=date(2026, 1, 6)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://readydesk.test") as http:
        query = {"key": SANDBOX_KEY, "action": action, **variables}
        response = await http.get("/API/default.aspx", params=query)
    assert response.status_code == 200
    return response.text


def _xml_fields(body: str) -> list[str]:
    return [field.tag for field in fromstring(body)[0]]


def _json_fields(body: str) -> list[tuple[str, str]]:
    [records] = json.loads(body, object_pairs_hook=_first_of_each).values()
    return [(name, type(value).__name__) for name, value in records[0].items()]


def _first_of_each(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in pairs:  # the seed examples repeat a key now and then
        out.setdefault(name, value)
    return out


def _delimited_records(body: str) -> list[str]:
    records: list[str] = []
    for line in body.strip().split("\n"):
        if line.startswith("&"):
            records[-1] += line
        else:
            records.append(line)
    return records


def _delimited_pairs(record: str) -> list[tuple[str, str]]:
    return [(name, value) for name, _, value in (p.partition("=") for p in record.split("&"))]


def _delimited_fields(record: str) -> list[str]:
    """The record's field names in order, without the custom fields' own names."""
    custom = dict(_delimited_pairs(record))["custom_fields"].split(",")
    return list(dict.fromkeys(n for n, _ in _delimited_pairs(record) if n not in custom))


@pytest.mark.parametrize("action", EXAMPLES)
async def test_xml_records_have_the_documented_fields_in_order(action):
    key, example = EXAMPLES[action]
    body = await _reply(action, **{key: "*"}, count="1")
    assert body.startswith('<?xml version="1.0"?>')
    assert _xml_fields(body) == _xml_fields(fixture_text(f"{example}.xml"))


@pytest.mark.parametrize("action", EXAMPLES)
async def test_json_records_hold_strings_and_custom_fields_as_one_object_in_a_list(action):
    key, example = EXAMPLES[action]
    body = await _reply(action, **{key: "*"}, count="1", format="json")
    assert _json_fields(body) == _json_fields(fixture_text(f"{example}.json"))


async def test_delimited_records_wrap_like_the_seed_and_list_their_custom_fields():
    body = await _reply("get_tickets", tid="*", count="2", format="delimited")
    records = _delimited_records(body)
    assert len(records) == 2 and all(r.startswith("tid=") for r in records)
    assert len(body.split("\n")) > 2  # long records go on over lines that begin with `&`
    [seed] = _delimited_records(fixture_text("readydesk/get_tickets_34.txt"))
    assert _delimited_fields(records[0]) == _delimited_fields(seed)
    pairs = dict(_delimited_pairs(records[0]))
    custom = pairs["custom_fields"].split(",")
    assert custom and all(name in pairs for name in custom)


@pytest.mark.parametrize(
    ("variables", "xml"),
    [
        ({"action": "get_tickets", "count_only": "Y"}, "<response><count>3</count></response>"),
        ({"action": "get_tickets", "tid": "x"}, "<response><error>Invalid value for tid"),
        ({"action": "get_nothing"}, "<response><error>Unknown action: get_nothing</error>"),
    ],
)
async def test_counts_and_errors_are_one_response_record_with_status_200(variables, xml):
    assert xml in await _reply(**variables)


async def test_encoded_fields_are_url_encoded_and_the_others_sent_as_they_are():
    body = await _reply("get_customers", cid="demo", format="delimited")
    assert "&contact=John+Smith&" in body and "&email=John.Smith%40DemoCompany.com" in body
    assert "&date_added=1/5/2026 8:00:00 AM&" in body  # "URL Encoded: No": spaces stay


def test_rows_equal_in_value_but_not_in_type_are_written_each_as_itself():
    """The fake writes a record's XML once per set of values; True and 1, or a list and a
    tuple, compare equal but are written differently (Y and 1)."""
    group = {"id": "7", "name": "Desk", "status": True, "category": None, "source": None}
    first, _ = wire.render_list(wire.TECH_GROUPS, [group], wire.XML)
    second, _ = wire.render_list(wire.TECH_GROUPS, [{**group, "status": 1}], wire.XML)
    assert fromstring(first).find("group/status").text == "Y"
    assert fromstring(second).find("group/status").text == "1"
    listed, _ = wire.render_list(wire.TECH_GROUPS, [{**group, "category": ["a", "b"]}], wire.XML)
    nested, _ = wire.render_list(wire.TECH_GROUPS, [{**group, "category": [["a"]]}], wire.XML)
    assert fromstring(listed).find("group/category").text == "a,b"
    assert fromstring(nested).find("group/category").text == "a"
