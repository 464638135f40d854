"""A small HTML tree for tests: parse what the web sandbox draws, find elements, read their text
the way a person (or a screen reader) would."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"br", "hr", "img", "input", "meta", "link", "source", "col", "area", "base", "wbr"}


@dataclass
class Node:
    """One element: its tag, attributes, children (nodes and strings) and parent."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)
    parent: "Node | None" = None

    @property
    def text(self) -> str:
        """All the text inside, as it reads."""
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def find_all(self, tag: str | None = None, **attrs: str) -> list["Node"]:
        """Every element below with this tag (any, if None) and these attribute values
        (`class_` matches one class among several)."""
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if _matches(child, tag, attrs):
                found.append(child)
            found.extend(child.find_all(tag, **attrs))
        return found

    def find(self, tag: str | None = None, **attrs: str) -> "Node":
        """The first such element; fails the test when there is none."""
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'} {attrs}> in {self.text[:200]!r}"
        return found[0]

    def label_for(self, node: "Node") -> str:
        """The text of the <label for=…> of `node` (its accessible name, for a form field)."""
        labels = [n for n in self.find_all("label") if n.attrs.get("for") == node.attrs.get("id")]
        return labels[0].text.strip() if labels else ""


def _matches(node: Node, tag: str | None, attrs: dict[str, str]) -> bool:
    if tag is not None and node.tag != tag:
        return False
    for name, wanted in attrs.items():
        name = name.rstrip("_").replace("_", "-")
        value = node.attrs.get(name)
        if value is None:
            return False
        if name == "class" and wanted not in value.split():
            return False
        if name != "class" and value != wanted:
            return False
    return True


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self._at = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self._at)
        self._at.children.append(node)
        if tag not in VOID:
            self._at = node

    def handle_endtag(self, tag: str) -> None:
        at: Node | None = self._at
        while at is not None and at.tag != tag:
            at = at.parent
        if at is not None and at.parent is not None:
            self._at = at.parent

    def handle_data(self, data: str) -> None:
        self._at.children.append(data)


def parse(html: str) -> Node:
    """The tree of an HTML document or fragment."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
