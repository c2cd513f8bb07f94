"""Pictures from a phone: resized for ``srcset``, turned upright, stripped of every metadata (no location is
ever published), warned about when large, and the same bytes build after build."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, stretch_md, tree_hash, write
from lxml import html
from PIL import Image, PngImagePlugin

STRETCH = "content/neck-relief/sitting/04-photo-stretch.md"
GPS = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}


def phone_photo(path: Path, size: tuple[int, int] = (2400, 1800)) -> Path:
    """A camera's JPEG held upright: stored sideways with EXIF orientation 6, a GPS position, a maker, a
    comment and noise enough to weigh over 2 MB. Its stored left half is red, its right half blue."""
    width, height = size
    noise = Image.frombytes("L", size, os.urandom(width * height))
    red, blue = Image.new("RGB", size, (220, 30, 30)), Image.new("RGB", size, (30, 30, 220))
    mask = Image.new("L", size, 0)
    mask.paste(255, (0, 0, width // 2, height))
    photo = Image.composite(red, blue, mask)
    photo = Image.blend(photo, Image.merge("RGB", [noise] * 3), 0.15)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to show"
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = GPS
    photo.save(path, "JPEG", quality=100, exif=exif.tobytes(), comment=b"taken at home")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from conftest import make_tiny_site

    from relief.cli import main

    project = make_tiny_site(tmp_path_factory.mktemp("photos") / "site")
    photo = phone_photo(project / "content/neck-relief/sitting/photo.jpg")
    assert photo.stat().st_size > 2 * 1024 * 1024
    write(project / STRETCH, stretch_md("Photo stretch", 20, image="photo.jpg", alt="Sitting with arms raised."))
    tagged = PngImagePlugin.PngInfo()
    tagged.add_text("Comment", "GPS 51.5 -0.1")
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(project / "assets/logo.png", pnginfo=tagged)
    import contextlib

    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        assert main(["--project", str(project), "build"]) == 0
    return project, errors.getvalue()


def published(project: Path) -> list[Path]:
    return sorted((project / "dist/assets/media/neck-relief/sitting").glob("photo*"))


def test_the_photo_is_published_at_three_widths_upright_with_width_and_height_set(built: tuple[Path, str]) -> None:
    project, _ = built
    files = published(project)
    assert [f.name.split(".")[0] for f in files] == ["photo-1440", "photo-480", "photo-960"]
    sizes = {}
    for file in files:
        with Image.open(file) as image:
            assert image.format == "JPEG"
            sizes[image.width] = image.height
            rgb = image.convert("RGB")
            top, bottom = rgb.getpixel((image.width // 2, image.height // 4)), \
                rgb.getpixel((image.width // 2, image.height * 3 // 4))
            assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], (file.name, top, bottom)  # upright
    assert sizes == {480: 640, 960: 1280, 1440: 1920}  # 1800 x 2400 once turned
    page = html.parse(str(project / "dist/index.html")).getroot()
    [img] = page.xpath("//details[@id='photo-stretch']//img")
    assert (img.get("width"), img.get("height")) == ("1440", "1920")
    candidates = [c.split() for c in img.get("srcset").split(", ")]
    assert [w for _, w in candidates] == ["480w", "960w", "1440w"]
    for url, _ in candidates:
        assert (project / "dist" / url).is_file()
    assert img.get("sizes") and (project / "dist" / img.get("src")).is_file()


def test_no_metadata_and_no_original_is_published(built: tuple[Path, str]) -> None:
    project, _ = built
    original = (project / "content/neck-relief/sitting/photo.jpg").read_bytes()
    for file in (project / "dist").rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert data != original
            assert b"PhoneMaker" not in data and b"taken at home" not in data and b"GPS 51.5" not in data, file
    for file in published(project):
        with Image.open(file) as image:
            assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
            assert "icc_profile" not in image.info and "xmp" not in image.info
    [logo] = (project / "dist/assets").glob("logo.*.png")
    with Image.open(logo) as image:
        assert image.mode == "RGBA" and "Comment" not in image.info and image.getpixel((1, 1))[3] == 0


def test_a_picture_over_2_mb_gets_a_warning_at_its_file(built: tuple[Path, str]) -> None:
    _, errors = built
    assert "content/neck-relief/sitting/photo.jpg:1:1: warning: is 2." in errors or \
        "content/neck-relief/sitting/photo.jpg:1:1: warning: is 3." in errors
    assert "published resized, but keep pictures under 2 MB" in errors


def test_builds_with_and_without_the_cache_are_byte_identical(built: tuple[Path, str], tmp_path: Path) -> None:
    from relief.cli import main

    project, _ = built
    copy = tmp_path / "copy"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("dist", ".relief-cache"))
    assert main(["--project", str(copy), "build", "--no-cache"]) == 0
    assert main(["--project", str(project), "build"]) == 0  # from the cache this time
    assert tree_hash(copy / "dist") == tree_hash(project / "dist")
    assert (project / ".relief-cache").is_dir()


def test_a_damaged_cached_picture_is_made_again(built: tuple[Path, str], tmp_path: Path) -> None:
    from relief.cli import main

    project, _ = built
    before = tree_hash(project / "dist")
    for shard in (project / ".relief-cache/entries").glob("??"):
        lines = shard.read_text().splitlines()
        shard.write_text("".join(f"{line.split(' ')[0]} AAAA{line.split(' ', 1)[1][40:]}\n" if len(line) > 5000
                                 else line + "\n" for line in lines))
    assert main(["--project", str(project), "build"]) == 0
    assert tree_hash(project / "dist") == before


def test_checking_an_icon_or_a_webp_does_not_load_every_pillow_plugin(tmp_path: Path) -> None:
    """Image.open of a kind Pillow does not load up front makes it import all of its forty plugins (26 ms a
    build); relief loads the plugins of the kinds it takes. A process of its own: the tests' Pillow has
    loaded them all already."""
    webp = tmp_path / "photo.webp"
    Image.new("RGB", (8, 8), "teal").save(webp, "WEBP")
    script = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1])\n"
              "from relief.load.pictures import check_image\n"
              "for name in sys.argv[2:]: print(check_image(Path(name), Path(name).read_bytes()))\n"
              "from PIL import Image; print(Image._initialized)")
    run = subprocess.run([sys.executable, "-c", script, str(ROOT), str(ROOT / "assets/favicon.ico"), str(webp)],
                         capture_output=True, text=True, check=True)
    *sizes, initialized = run.stdout.split()
    assert len(sizes) == 4 and initialized == "1"  # 2: every plugin loaded
