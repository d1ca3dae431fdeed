"""The view tree a phone shows: nodes built in a 1080x2400 design space, scaled to the real screen, dumped as XML."""

from __future__ import annotations

from typing import Any

DESIGN_WIDTH, DESIGN_HEIGHT = 1080, 2400

XML_HEADER = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\r\n"


class Node:
    """One view. `action` is what a tap does (interpreted by the app); `field` names an editable text field."""

    __slots__ = (
        "cls",
        "bounds",
        "text",
        "desc",
        "rid",
        "hint",
        "children",
        "action",
        "field",
        "package",
        "clickable",
        "checkable",
        "checked",
        "enabled",
        "focusable",
        "focused",
        "scrollable",
        "selected",
        "long_clickable",
        "password",
    )

    def __init__(
        self,
        cls: str,
        bounds: tuple[int, int, int, int],
        *,
        text: str = "",
        desc: str = "",
        rid: str = "",
        hint: str = "",
        children: list[Node] | None = None,
        action: Any = None,
        field: str | None = None,
        package: str = "",
        clickable: bool | None = None,
        checkable: bool = False,
        checked: bool = False,
        enabled: bool = True,
        focusable: bool | None = None,
        focused: bool = False,
        scrollable: bool = False,
        selected: bool = False,
        long_clickable: bool = False,
        password: bool = False,
    ) -> None:
        self.cls = cls
        self.bounds = bounds
        self.text = text
        self.desc = desc
        self.rid = rid
        self.hint = hint
        self.children = children if children is not None else []
        self.action = action
        self.field = field
        self.package = package
        self.clickable = (action is not None or field is not None) if clickable is None else clickable
        self.checkable = checkable
        self.checked = checked
        self.enabled = enabled
        self.focusable = (field is not None or self.clickable) if focusable is None else focusable
        self.focused = focused
        self.scrollable = scrollable
        self.selected = selected
        self.long_clickable = long_clickable
        self.password = password


def _escape(value: str) -> str:
    if not value:
        return value
    if any(c in value for c in '&<>"\n\r\t'):
        value = (
            value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&quot;")
            .replace("\n", "&#10;")
            .replace("\r", "&#13;")
            .replace("\t", "&#9;")
        )
    return value


def _flag(value: bool) -> str:
    return "true" if value else "false"


class Snapshot:
    """A frozen, flattened view tree in screen pixels: what dumps, selectors and taps work on."""

    __slots__ = ("nodes", "parents", "indexes", "packages", "rects", "depths", "width", "height")

    def __init__(self, windows: list[Node], width: int, height: int) -> None:
        self.width, self.height = width, height
        sx, sy = width / DESIGN_WIDTH, height / DESIGN_HEIGHT
        self.nodes: list[Node] = []
        self.parents: list[int] = []
        self.indexes: list[int] = []
        self.packages: list[str] = []
        self.rects: list[tuple[int, int, int, int]] = []
        self.depths: list[int] = []
        stack = [(w, -1, i, w.package, 0) for i, w in reversed(list(enumerate(windows)))]
        while stack:
            node, parent, index, package, depth = stack.pop()
            position = len(self.nodes)
            package = node.package or package
            left, top, right, bottom = node.bounds
            self.nodes.append(node)
            self.parents.append(parent)
            self.indexes.append(index)
            self.packages.append(package)
            self.rects.append((round(left * sx), round(top * sy), round(right * sx), round(bottom * sy)))
            self.depths.append(depth)
            for i in range(len(node.children) - 1, -1, -1):
                stack.append((node.children[i], position, i, package, depth + 1))

    def descendants(self, position: int) -> range:
        """Positions of every node below `position` (they follow it contiguously in document order)."""
        end = position + 1
        depth = self.depths[position]
        while end < len(self.nodes) and self.depths[end] > depth:
            end += 1
        return range(position + 1, end)

    def hit(self, x: float, y: float) -> int | None:
        """The topmost tappable node under a point."""
        for position in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[position]
            if node.clickable:
                left, top, right, bottom = self.rects[position]
                if left <= x < right and top <= y < bottom:
                    return position
        return None

    def info(self, position: int) -> dict[str, Any]:
        """The uiautomator ObjInfo of one node."""
        node = self.nodes[position]
        left, top, right, bottom = self.rects[position]
        bounds = {"left": left, "top": top, "right": right, "bottom": bottom}
        return {
            "bounds": bounds,
            "visibleBounds": dict(bounds),
            "childCount": len(node.children),
            "className": node.cls,
            "contentDescription": node.desc or None,
            "packageName": self.packages[position],
            "resourceName": node.rid or None,
            "text": node.text,
            "checkable": node.checkable,
            "checked": node.checked,
            "clickable": node.clickable,
            "enabled": node.enabled,
            "focusable": node.focusable,
            "focused": node.focused,
            "longClickable": node.long_clickable,
            "scrollable": node.scrollable,
            "selected": node.selected,
        }

    def xml(self, max_depth: int = 50) -> str:
        """The uiautomator dump: a `<hierarchy>` of `<node>` elements."""
        parts = [XML_HEADER, f'<hierarchy rotation="0" width="{self.width}" height="{self.height}">']
        open_depths: list[int] = []
        for position, node in enumerate(self.nodes):
            depth = self.depths[position]
            if depth >= max_depth:
                continue
            while open_depths and open_depths[-1] >= depth:
                open_depths.pop()
                parts.append("</node>")
            left, top, right, bottom = self.rects[position]
            parts.append(
                f'<node index="{self.indexes[position]}" text="{_escape(node.text)}" resource-id="{node.rid}" '
                f'class="{node.cls}" package="{self.packages[position]}" content-desc="{_escape(node.desc)}" '
                f'checkable="{_flag(node.checkable)}" checked="{_flag(node.checked)}" '
                f'clickable="{_flag(node.clickable)}" enabled="{_flag(node.enabled)}" '
                f'focusable="{_flag(node.focusable)}" focused="{_flag(node.focused)}" '
                f'scrollable="{_flag(node.scrollable)}" long-clickable="{_flag(node.long_clickable)}" '
                f'password="{_flag(node.password)}" selected="{_flag(node.selected)}" visible-to-user="true" '
                f'bounds="[{left},{top}][{right},{bottom}]" hint="{_escape(node.hint)}" display-id="0">'
            )
            open_depths.append(depth)
        parts.extend("</node>" for _ in open_depths)
        parts.append("</hierarchy>")
        return "".join(parts)
