#!/usr/bin/env python3
"""Draws the certificate page of `certify-render` with reportlab, N times, and prints the time.

The second yardstick beside scripts/render_fpdf2.py: the same A4 landscape page, texts,
sizes, positions, bundled DejaVu Sans fonts (reportlab subsets TrueType fonts on output,
as certify-render does), shrink-to-fit, wrapping and QR-sized grid (the page is drawn by
render_fpdf2.py's own layout numbers; reportlab's origin is the bottom-left corner).

Two figures: one document per certificate (fonts registered once per process, as
reportlab caches them), and one document of N pages.

    python3 scripts/render_reportlab.py [N] [--out FILE.pdf]
"""

import io
import pathlib
import sys

REPORTLAB = "reportlab==4.4.4"
try:
    import reportlab
except ImportError:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", REPORTLAB], check=True)
    import reportlab

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from render_fpdf2 import CERTIFICATE, FONTS, GOLD, GREY, NAVY, QR, measure, qr_runs  # noqa: E402  the same page

HEIGHT = 595.0
REGULAR, BOLD = "DejaVu", "DejaVu-Bold"
pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


def rgb(color):
    return tuple(c / 255 for c in color)


def fit(font, text, largest, smallest, width):
    measured = pdfmetrics.stringWidth(text, font, largest)
    return largest if measured <= width else max(smallest, largest * width / measured)


def wrap(text, font, size, width, lines=3):
    out, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if pdfmetrics.stringWidth(candidate, font, size) <= width or not line:
            line = candidate
        else:
            out.append(line)
            line = word
    out.append(line)
    if len(out) > lines:
        last = " ".join(out[lines - 1 :])
        while pdfmetrics.stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        out = out[: lines - 1] + [last.rstrip() + "…"]
    return out


def text(c, x, y, s, font, size, color, centered=False, spacing=0):
    t = c.beginText()
    t.setFont(font, size)
    t.setCharSpace(spacing)
    t.setFillColorRGB(*rgb(color))
    width = pdfmetrics.stringWidth(s, font, size) + spacing * len(s)
    t.setTextOrigin(x - width / 2 if centered else x, HEIGHT - y)
    t.textOut(s)
    c.drawText(t)


def draw_page(c, cert):
    c.setLineWidth(3)
    c.setStrokeColorRGB(*rgb(NAVY))
    c.rect(20, HEIGHT - 575, 802, 555)
    c.setLineWidth(1)
    c.setStrokeColorRGB(*rgb(GOLD))
    c.rect(29, HEIGHT - 566, 784, 537)

    text(c, 421, 98, "CERTIFICATE", BOLD, 30, NAVY, True, 8)
    text(c, 421, 150, "This certifies that", REGULAR, 13, GREY, True)
    text(c, 421, 212, cert["holder_name"], BOLD, fit(BOLD, cert["holder_name"], 40, 16, 720), NAVY, True)
    c.line(251, HEIGHT - 234, 591, HEIGHT - 234)
    text(c, 421, 264, "has been awarded the certification", REGULAR, 13, GREY, True)
    text(c, 421, 300, cert["name"], BOLD, fit(BOLD, cert["name"], 22, 12, 680), NAVY, True)
    for i, line in enumerate(wrap(cert["description"], REGULAR, 11, 640)):
        text(c, 421, 326 + 15 * i, line, REGULAR, 11, GREY, True)

    for x, label in ((191, "ISSUED BY"), (421, "ISSUED ON"), (651, "EXPIRES")):
        text(c, x, 408, label, REGULAR, 8, GREY, True, 1.5)
    text(c, 64, 500, "CERTIFICATE ID", REGULAR, 8, GREY, spacing=1.5)
    text(c, 64, 537, "VERIFY AT", REGULAR, 8, GREY, spacing=1.5)
    text(c, 191, 428, cert["issuer_name"], REGULAR, fit(REGULAR, cert["issuer_name"], 13, 8, 220), NAVY, True)
    text(c, 421, 428, cert["issued_on"], REGULAR, 13, NAVY, True)
    text(c, 651, 428, cert["expires_on"], REGULAR, 13, NAVY, True)
    text(c, 64, 515, cert["id"], REGULAR, fit(REGULAR, cert["id"], 10, 6, 600), NAVY)
    text(c, 64, 552, cert["url"], REGULAR, fit(REGULAR, cert["url"], 10, 6, 600), NAVY)

    c.setFillColorRGB(*rgb(NAVY))
    module = 92 / len(QR)
    for y, start, length in qr_runs():
        top = 452 + y * module
        c.rect(700 + start * module, HEIGHT - top - module, length * module, module, stroke=0, fill=1)
    c.showPage()


def new_document(out):
    c = canvas.Canvas(out, pagesize=(842, HEIGHT))
    c.setTitle(f"{CERTIFICATE['name']}: {CERTIFICATE['holder_name']}")
    return c


def one_certificate():
    out = io.BytesIO()
    c = new_document(out)
    draw_page(c, CERTIFICATE)
    c.save()
    return out.getvalue()


def n_pages(n):
    c = new_document(io.BytesIO())
    for _ in range(n):
        draw_page(c, CERTIFICATE)
    c.save()


def main():
    measure(f"reportlab {reportlab.Version}", __doc__, one_certificate, n_pages)


if __name__ == "__main__":
    main()
