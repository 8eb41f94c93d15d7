"""Scans, photos and OFD files built by the tests themselves: text rendered with a CJK
font from the system (Debian's fonts-noto-cjk, installed by `make setup-test`) into page
images, saved as PNG, multi-page TIFF and image-only PDF; OFD packages written as the
standard's zip of XML. Nothing outside the repository is read."""
from __future__ import annotations

import io
import subprocess
import zipfile
from functools import lru_cache
from pathlib import Path

# (text, alignment): c = centred, l = left, i = indented first line, r = right (落款)
Line = tuple[str, str]


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Path of a font with simplified Chinese glyphs, or None."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    found = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    for candidate in found + ["/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"]:
        if Path(candidate).is_file():
            return candidate
    return None


def render_page(lines: list[Line], *, width: int = 1100, font_px: int = 30, margin: int = 60):
    """One page image (PIL, greyscale) holding `lines`, about 200 dpi for 30 px glyphs."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = cjk_font()
    assert font_path, "no CJK font"
    font = ImageFont.truetype(font_path, font_px)
    pitch = int(font_px * 1.8)
    img = Image.new("L", (width, 2 * margin + pitch * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for k, (text, align) in enumerate(lines):
        w = draw.textlength(text, font=font)
        x = {"c": (width - w) / 2, "l": margin, "i": margin + 2 * font_px, "r": width - margin - w}[align]
        draw.text((x, margin + k * pitch), text, font=font, fill=0)
    return img


def save_png(path: Path, lines: list[Line]) -> Path:
    render_page(lines).save(path)
    return path


def save_image_pdf(path: Path, pages: list[list[Line]]) -> Path:
    """An image-only PDF (no text layer), one page image a page."""
    images = [render_page(p).convert("RGB") for p in pages]
    images[0].save(path, "PDF", resolution=200, save_all=True, append_images=images[1:])
    return path


def save_tiff(path: Path, pages: list[list[Line]]) -> Path:
    images = [render_page(p) for p in pages]
    images[0].save(path, "TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate")
    return path


def mixed_pdf(path: Path, typed: Path, scanned: Path) -> Path:
    """The pages of `typed` (with a text layer) followed by those of `scanned` (images)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for source in (typed, scanned):
        for page in PdfReader(source).pages:
            writer.add_page(page)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


# --------------------------------------------------------------------------- OFD

_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _text_objects(lines: list[tuple[float, float, str]], size: float = 5.6) -> str:
    """TextObjects, one a line at (x, baseline y) in mm; every other line one TextCode
    per character, as some producers write them."""
    out = []
    for k, (x, y, text) in enumerate(lines):
        if k % 2:
            codes = "".join(f'<ofd:TextCode X="{i * size:.2f}" Y="{size:.2f}">{ch}</ofd:TextCode>'
                            for i, ch in enumerate(text))
        else:
            codes = f'<ofd:TextCode X="0" Y="{size:.2f}" DeltaX="g {len(text) - 1} {size}">{text}</ofd:TextCode>'
        out.append(f'<ofd:TextObject ID="{100 + k}" Boundary="{x} {y - size} {len(text) * size + 2} {size * 1.5}" '
                   f'Font="1" Size="{size}">{codes}</ofd:TextObject>')
    return "".join(out)


def make_ofd(path: Path, pages: list[list[tuple[float, float, str]] | bytes]) -> Path:
    """An OFD of A4 pages: a page is text lines [(x mm, baseline mm, text)] or PNG bytes
    (an image-only page, as a scanned page wrapped in OFD)."""
    files: dict[str, str | bytes] = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {_NS} Version="1.0" DocType="OFD">'
                   "<ofd:DocBody><ofd:DocInfo><ofd:DocID>test</ofd:DocID></ofd:DocInfo>"
                   "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
    }
    page_refs, media = [], []
    for n, page in enumerate(pages):
        page_refs.append(f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>')
        if isinstance(page, bytes):
            files[f"Doc_0/Res/image_{n}.png"] = page
            media.append(f'<ofd:MultiMedia ID="{500 + n}" Type="Image"><ofd:MediaFile>image_{n}.png'
                         "</ofd:MediaFile></ofd:MultiMedia>")
            layer = f'<ofd:ImageObject ID="{600 + n}" ResourceID="{500 + n}" Boundary="0 0 210 297" CTM="210 0 0 297 0 0"/>'
        else:
            layer = _text_objects(page)
        files[f"Doc_0/Pages/Page_{n}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {_NS}><ofd:Content>'
            f'<ofd:Layer ID="{900 + n}">{layer}</ofd:Layer></ofd:Content></ofd:Page>')
    files["Doc_0/DocumentRes.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {_NS} BaseLoc="Res">'
                                      f'<ofd:MultiMedias>{"".join(media)}</ofd:MultiMedias></ofd:Res>')
    files["Doc_0/Document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {_NS}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>'
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData>"
        f'<ofd:Pages>{"".join(page_refs)}</ofd:Pages></ofd:Document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            z.writestr(name, content)
    path.write_bytes(buf.getvalue())
    return path


def png_bytes(lines: list[Line]) -> bytes:
    buf = io.BytesIO()
    render_page(lines).save(buf, "PNG")
    return buf.getvalue()
