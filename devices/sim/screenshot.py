"""Screenshots of a phone: its view tree drawn as boxes and labels (JPEG for uiautomator2, PNG for screencap, raw
RGBA for the framebuffer service)."""

from __future__ import annotations

import base64
import io
import struct

from PIL import Image, ImageDraw, ImageFont

from devices.sim.hierarchy import Snapshot

_BACKGROUNDS = {"com.zhiliaoapp.musically": (18, 18, 22), "com.android.systemui": (8, 10, 30)}
_LAUNCHER_BACKGROUND = (32, 64, 110)


def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=30)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


_FONT = _font()


def draw(snapshot: Snapshot, display_on: bool = True) -> Image.Image:
    """The screen as an RGB image."""
    image = Image.new("RGB", (snapshot.width, snapshot.height), (0, 0, 0))
    if not display_on or not snapshot.nodes:
        return image
    pen = ImageDraw.Draw(image)
    pen.rectangle(
        (0, 0, snapshot.width, snapshot.height), fill=_BACKGROUNDS.get(snapshot.packages[0], _LAUNCHER_BACKGROUND)
    )
    for position, node in enumerate(snapshot.nodes):
        box = snapshot.rects[position]
        if node.clickable and (node.text or node.desc):
            pen.rounded_rectangle(box, radius=12, outline=(90, 90, 100), width=2)
        label = node.text or (node.desc if not node.children else "")
        if label:
            try:
                pen.text((box[0] + 8, box[1] + 6), label[:60], fill=(235, 235, 240), font=_FONT)
            except UnicodeEncodeError:
                pen.text(
                    (box[0] + 8, box[1] + 6),
                    label[:60].encode("latin-1", "replace").decode("latin-1"),
                    fill=(235, 235, 240),
                    font=_FONT,
                )
    return image


def jpeg_base64(snapshot: Snapshot, display_on: bool, scale: float = 1.0, quality: int = 80) -> str:
    """The takeScreenshot RPC result: a base64 JPEG at `scale`."""
    image = draw(snapshot, display_on)
    if scale and scale != 1.0:
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=int(quality or 80))
    return base64.b64encode(buffer.getvalue()).decode()


def png_bytes(snapshot: Snapshot, display_on: bool) -> bytes:
    """`screencap -p`: the PNG bytes."""
    buffer = io.BytesIO()
    draw(snapshot, display_on).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


# The header of adb's framebuffer service, version 2: version, bits per pixel, colour space (1 = sRGB), size,
# width, height, then offset and length of red, blue, green and alpha.
_FRAMEBUFFER_VERSION, _SRGB = 2, 1


def framebuffer(snapshot: Snapshot, display_on: bool) -> bytes:
    """`framebuffer:`: the header and the screen's RGBA pixels, row by row."""
    pixels = draw(snapshot, display_on).convert("RGBA").tobytes()
    header = struct.pack(
        "<14I", _FRAMEBUFFER_VERSION, 32, _SRGB, len(pixels), snapshot.width, snapshot.height, 0, 8, 16, 8, 8, 8, 24, 8
    )
    return header + pixels
