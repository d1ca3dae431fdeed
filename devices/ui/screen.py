"""One hierarchy dump, parsed once with lxml, searched client-side.

Finding elements this way costs one `dumpWindowHierarchy` RPC per screen instead of one
`exist`/`waitForExists` RPC per element tried. Nodes that cannot be tapped where they are
drawn (zero-sized, or covered by a sheet's scrim or a dialog drawn after them) are skipped
by `find`, as a finger would miss them.

Parsing is on every step's path (a few dumps per step, for every phone), so it is kept lean:
elements are named tuples made with `tuple.__new__`, attributes read with `get` on the node
(no attribute-map proxy), bounds split without a regular expression.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from lxml import etree

from devices.selectors import Alternative

_PARSER = etree.XMLParser(recover=True, huge_tree=True, resolve_entities=False, no_network=True, collect_ids=False)
_NO_BOUNDS = (0, 0, 0, 0)


def _bounds(text: str | None) -> tuple[int, int, int, int]:
    """ "[left,top][right,bottom]" as four ints; (0, 0, 0, 0) when missing or malformed."""
    if not text or text[0] != "[" or text[-1] != "]":
        return _NO_BOUNDS
    parts = text[1:-1].replace("][", ",").split(",")
    if len(parts) != 4:
        return _NO_BOUNDS
    try:
        left, top, right, bottom = map(int, parts)
    except ValueError:
        return _NO_BOUNDS
    return left, top, right, bottom


class Element(NamedTuple):
    """A node of the dump, in document order (`position`), with its parent's position."""

    position: int
    parent: int
    depth: int
    cls: str
    text: str
    desc: str
    rid: str
    hint: str
    package: str
    bounds: tuple[int, int, int, int]
    clickable: bool
    enabled: bool
    selected: bool
    checked: bool
    focused: bool

    @property
    def center(self) -> tuple[int, int]:
        """The point a tap aims at."""
        left, top, right, bottom = self.bounds
        return (left + right) // 2, (top + bottom) // 2

    @property
    def visible(self) -> bool:
        """Whether it has an area on screen."""
        left, top, right, bottom = self.bounds
        return right > left and bottom > top

    @property
    def label(self) -> str:
        """Its text, else its content-desc."""
        return self.text or self.desc


class Screen:
    """The elements of one dump."""

    def __init__(self, elements: list[Element], xml: str = "") -> None:
        self.elements = elements
        self.xml = xml

    @classmethod
    def parse(cls, xml: str) -> Screen:
        """Parse a uiautomator dump (`<hierarchy><node .../></hierarchy>`)."""
        root = etree.fromstring(xml.encode("utf-8"), _PARSER) if xml.strip() else None
        elements: list[Element] = []
        if root is None:
            return cls(elements, xml)
        new, append = tuple.__new__, elements.append
        stack: list[tuple[etree._Element, int, int]] = [(child, -1, 0) for child in reversed(root)]
        while stack:
            node, parent, depth = stack.pop()
            tag = node.tag
            if not isinstance(tag, str):
                continue
            get = node.get
            position = len(elements)
            append(
                new(
                    Element,
                    (
                        position,
                        parent,
                        depth,
                        get("class", tag),
                        get("text", ""),
                        get("content-desc", ""),
                        get("resource-id", ""),
                        get("hint", ""),
                        get("package", ""),
                        _bounds(get("bounds")),
                        get("clickable") == "true",
                        get("enabled", "true") == "true",
                        get("selected") == "true",
                        get("checked") == "true",
                        get("focused") == "true",
                    ),
                )
            )
            if len(node):
                below = depth + 1
                stack.extend([(child, position, below) for child in reversed(node)])
        return cls(elements, xml)

    # -- finding ---------------------------------------------------------------------------------
    def matching(self, alternatives: Iterable[Alternative]) -> list[Element]:
        """Every element the first matching alternative finds (document order); [] if none does."""
        for alternative in alternatives:
            test = alternative.test
            found = [e for e in self.elements if test(e)]
            if found:
                return found
        return []

    def find(self, alternatives: Iterable[Alternative]) -> Element | None:
        """The first element a finger can reach, by the first alternative that finds one."""
        for alternative in alternatives:
            test = alternative.test
            for element in self.elements:
                if test(element) and self.reachable(element):
                    return element
        return None

    def find_all(self, alternatives: Iterable[Alternative]) -> list[Element]:
        """Every reachable element that any alternative matches, in document order (for lists: tiles, rows)."""
        tests = tuple(a.test for a in alternatives)
        return [e for e in self.elements if any(test(e) for test in tests) and self.reachable(e)]

    def rows(self, after: Element | None = None) -> list[Element]:
        """List rows without ids: clickable containers holding two or more texts, below `after` in document order."""
        start = after.position + 1 if after is not None else 0
        found = []
        for element in self.elements[start:]:
            if (
                element.clickable
                and not element.cls.endswith(("Button", "EditText", "TextView"))
                and self.reachable(element)
            ):
                if sum(1 for e in self.descendants(element) if e.cls.endswith("TextView") and e.text) >= 2:
                    found.append(element)
        return found

    def first_text(self, container: Element) -> Element | None:
        """The first TextView with a text inside `container`."""
        return next((e for e in self.descendants(container) if e.cls.endswith("TextView") and e.text), None)

    def has(self, alternatives: Iterable[Alternative]) -> bool:
        """Whether any alternative matches any element, reachable or not."""
        return any(alternative.test(e) for alternative in alternatives for e in self.elements)

    def texts(self) -> set[str]:
        """Every non-empty text and content-desc."""
        return {value for e in self.elements for value in (e.text, e.desc) if value}

    def containing(self, fragments: Iterable[str]) -> Element | None:
        """The first element whose text or content-desc contains one of `fragments`."""
        fragments = tuple(fragments)
        for element in self.elements:
            if any(f in element.text or f in element.desc for f in fragments if f):
                return element
        return None

    # -- structure -------------------------------------------------------------------------------
    def descendants(self, element: Element) -> Iterator[Element]:
        """The elements below `element` (they follow it in document order)."""
        for other in self.elements[element.position + 1 :]:
            if other.depth <= element.depth:
                return
            yield other

    def ancestors(self, element: Element) -> Iterator[Element]:
        """Its parent, grandparent, and so on."""
        parent = element.parent
        while parent >= 0:
            yield self.elements[parent]
            parent = self.elements[parent].parent

    def reachable(self, element: Element) -> bool:
        """Whether it is on screen and not covered: the topmost clickable under its centre is
        itself, drawn before it (its background or an ancestor), or one of its descendants."""
        if not element.visible:
            return False
        hit = self.hit(*element.center)
        if hit is None or hit.position <= element.position:
            return True
        return any(a.position == element.position for a in self.ancestors(hit))

    def hit(self, x: int, y: int) -> Element | None:
        """The topmost clickable element under a point (drawn last)."""
        for element in reversed(self.elements):
            left, top, right, bottom = element.bounds
            if element.clickable and left <= x < right and top <= y < bottom:
                return element
        return None

    @property
    def package(self) -> str:
        """The package of the first window (the app in front)."""
        return self.elements[0].package if self.elements else ""

    def packages(self) -> set[str]:
        """Every package with nodes on screen."""
        return {e.package for e in self.elements if e.package}
