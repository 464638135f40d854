"""ReadyDesk's three wire formats (XML, JSON, URL-delimited) read into plain records.

A record is a dict of field name -> raw string (still URL-encoded where the docs say so), plus
`custom_fields` as a dict of name -> raw string. Decoding and typing happen in the models, so all
three formats go through exactly the same conversion.
"""

import json
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError, XMLParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from api.errors import MalformedResponse

BACKEND = "ReadyDesk"
Format = Literal["xml", "json", "delimited"]
Record = dict[str, Any]

# Undocumented names (the API pages that would say them could not be read); chosen for Deskhand
# and used by the sandbox fake. Change them here if a live server disagrees.
COUNT_FIELD = "count"  # count_only=Y replies with one record holding this field (inferred)
ERROR_FIELD = "error"  # error replies hold one record with this field (inferred)
CUSTOM_FIELDS = "custom_fields"


def detect_format(body: str) -> Format:
    """XML if the body starts with `<`, JSON if `{` or `[`, otherwise URL-delimited."""
    head = body.lstrip("\ufeff \t\r\n")[:1]
    if head == "<":
        return "xml"
    if head in "{[" and head:
        return "json"
    return "delimited"


def parse_records(body: str, *, action: str) -> list[Record]:
    """Every record in a ReadyDesk reply, whatever its format; MalformedResponse if unreadable."""
    if not body.strip():
        raise malformed(action, "an empty reply")
    fmt = detect_format(body)
    try:
        if fmt == "xml":
            return _parse_xml(body, action)
        if fmt == "json":
            return _parse_json(body, action)
        return _parse_delimited(body, action)
    except (ParseError, DefusedXmlException, ValueError, TypeError, AttributeError) as err:
        raise malformed(action, f"unreadable {fmt.upper()}") from err


def malformed(action: str, what: str) -> MalformedResponse:
    """The error for a reply to `action` Deskhand could not read (`what` says what came)."""
    return MalformedResponse(
        f"ReadyDesk sent {what} to `{action}`; Deskhand could not read it.",
        backend=BACKEND,
        action=action,
    )


def _parse_xml(body: str, action: str) -> list[Record]:
    if body.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        raise malformed(action, "a web page instead of data")
    root = _xml_root(body.strip())
    if root.tag.lower() == "html":
        raise malformed(action, "a web page instead of data")
    if root.tag == "response":  # add_/update_ results, counts and errors: one flat record
        return [_xml_record(root)]
    return [_xml_record(child) for child in root]


def _xml_root(text: str) -> Element:
    """The parsed document. Only a document type declaration can declare the entities that
    defusedxml guards against, and every such declaration starts `<!`: a body without one is read
    by the standard library's C parser (several times faster than defusedxml's, which is written
    in Python to hook those declarations), any other by defusedxml."""
    if "<!" in text:
        return fromstring(text)
    parser = XMLParser()  # noqa: S314 (no `<!`: no entity can be declared; see above)
    parser.feed(text)
    return parser.close()


def _xml_record(element: Element) -> Record:
    record: Record = {}
    for child in element:
        if len(child):
            value: Any = {sub.tag: sub.text or "" for sub in child}
        else:
            value = child.text or ""  # not stripped: unencoded values keep their spaces
        _put(record, child.tag, value)
    return record


def _put(record: Record, name: str, value: Any) -> None:
    """Store a field; when a name repeats (seen in the docs' examples) the first non-empty wins."""
    if name not in record or record[name] in ("", {}, None):
        record[name] = value


def _pairs_first_non_empty(pairs: list[tuple[str, Any]]) -> Record:
    record: Record = {}
    for name, value in pairs:
        _put(record, name, value)
    return record


def _parse_json(body: str, action: str) -> list[Record]:
    data = json.loads(body, object_pairs_hook=_pairs_first_non_empty)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(data) != 1 or len(lists) != 1:
            raise malformed(action, "JSON of an unexpected shape")
        items = lists[0]
    elif isinstance(data, list):
        items = data
    else:
        raise malformed(action, "JSON of an unexpected shape")
    return [_json_record(item, action) for item in items]


def _json_record(item: Any, action: str) -> Record:
    if not isinstance(item, dict):
        raise malformed(action, "JSON of an unexpected shape")
    record: Record = {}
    for name, value in item.items():
        if isinstance(value, list):  # custom_fields: a list holding one object of name -> value
            merged: dict[str, str] = {}
            for part in value:
                merged.update({k: _scalar(v) for k, v in part.items()})
            record[name] = merged
        elif isinstance(value, dict):
            record[name] = {k: _scalar(v) for k, v in value.items()}
        else:
            record[name] = _scalar(value)
    return record


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dict | list):
        raise TypeError("nested value where a scalar was expected")
    return str(value)


def _parse_delimited(body: str, action: str) -> list[Record]:
    # One record per line; a line starting with `&` continues the record above (the docs wrap
    # long records that way). Values are split on the first `=` and left undecoded.
    lines: list[str] = []
    for raw_line in body.replace("\r", "").split("\n"):
        line = raw_line.strip("\r")
        if not line.strip():
            continue
        if line.startswith("&") and lines:
            lines[-1] += line
        else:
            lines.append(line)
    records = []
    for line in lines:
        record: Record = {}
        for token in line.split("&"):
            if not token:
                continue
            if "=" not in token:
                raise malformed(action, "text that is not ReadyDesk data")
            name, value = token.split("=", 1)
            _put(record, name, value)
        records.append(_gather_delimited_custom_fields(record))
    return records


def _gather_delimited_custom_fields(record: Record) -> Record:
    """In delimited output `custom_fields` lists the names whose values sit beside it."""
    names = record.get(CUSTOM_FIELDS)
    if isinstance(names, str):
        fields = [n for n in names.split(",") if n]
        record[CUSTOM_FIELDS] = {n: record.pop(n, "") for n in fields}
    return record


@dataclass(frozen=True)
class WireNames:
    """ReadyDesk names the readable docs do not give, in one place so an admin can correct them.

    Each has a READYDESK_* setting (see README). The defaults are Deskhand's inference:
    `add_history` follows the add_<entity> pattern; `tid` names a ticket everywhere else.
    """

    history_action: str = "add_history"
    history_note: str = "note"
    update_ticket_target: str = "tid"
    ticket_body: str = "description"
    ticket_priority: str = "priority"
