"""Draw the web app icons: ``assets/icons/icon-192.png``, ``icon-512.png`` and ``icon-maskable-512.png``.

The figure of ``assets/favicon.svg`` (arms raised, the spine in orange) on the page's light
colour. The maskable icon fills its whole square and keeps the figure inside the central
circle of 80 % that every launcher's mask leaves visible. Run ``python3 scripts/icons.py``
after changing the drawing; the PNGs are committed.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "assets" / "icons"
PAPER = (247, 245, 240, 255)  # the light theme colour
INK = (29, 53, 87, 255)
SPINE = (217, 72, 15, 255)
SKIN = (241, 194, 125, 255)
SCALE = 4  # drawn large, then reduced: smooth edges

# favicon.svg's figure, in its 32 x 32 box
BODY = [[(6, 3.5), (11.5, 14), (16, 13), (20.5, 14), (26, 3.5)], [(16, 21), (11.5, 29.5)], [(16, 21), (20.5, 29.5)]]
SPINE_LINE = [(16, 13.5), (16, 21)]
HEAD = ((16, 7.6), 3.6)


def figure(draw: ImageDraw.ImageDraw, box: float, offset: float) -> None:
    """The figure scaled so its 32-unit box is ``box`` pixels wide, ``offset`` from the top left."""
    unit = box / 32

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return offset + point[0] * unit, offset + point[1] * unit

    width = round(3.6 * unit)
    for line in BODY:
        draw.line([at(p) for p in line], fill=INK, width=width, joint="curve")
        for p in (line[0], line[-1]):
            x, y = at(p)
            draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=INK)
    draw.line([at(p) for p in SPINE_LINE], fill=SPINE, width=width)
    for p in SPINE_LINE:
        x, y = at(p)
        draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=SPINE)
    (cx, cy), r = HEAD
    x, y = at((cx, cy))
    draw.ellipse([x - r * unit, y - r * unit, x + r * unit, y + r * unit], fill=SKIN, outline=INK,
                 width=round(1.8 * unit))


def icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:  # full bleed; the figure within the safe circle (diameter 80 %)
        draw.rectangle([0, 0, big, big], fill=PAPER)
        box = big * 0.52
    else:  # a rounded square, the figure nearly filling it
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.18, fill=PAPER)
        box = big * 0.76
    figure(draw, box, (big - box) / 2)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("icon-maskable-512.png", 512, True)):
        image = icon(size, maskable=maskable).quantize(64, method=Image.Quantize.FASTOCTREE)  # a few KiB each
        image.save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
