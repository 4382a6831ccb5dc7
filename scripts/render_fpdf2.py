#!/usr/bin/env python3
"""Draws the certificate page of `certify-render` with fpdf2, N times, and prints the time.

The yardstick for `cargo bench -p certify-render --bench render`: the same A4 landscape
page, texts, sizes and positions as shared/render/template/certificate.svg, with the same
bundled Noto Sans fonts (fonts/; the family keeps its old name "DejaVu" inside the script) (subset on output, as certify-render does), the holder's name shrunk
to fit, the description wrapped, and a QR-sized grid of rects from a fixed pattern.

Two figures: one document per certificate (fonts parsed for each, as each certificate is
its own file), and one document of N pages (fonts parsed once).

    python3 scripts/render_fpdf2.py [N] [--out FILE.pdf]
"""

import argparse
import pathlib
import random
import sys
import time

FPDF2 = "fpdf2==2.8.9"
try:
    import fpdf
except ImportError:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", FPDF2], check=True)
    import fpdf

FONTS = pathlib.Path(__file__).resolve().parent.parent / "fonts"

CERTIFICATE = {
    "holder_name": "Zoë Łukasiewicz-Øster",
    "name": "Food Safety Level 2",
    "description": "Safe handling, storage and preparation of food in a commercial kitchen: hygiene, "
    "temperature control, allergens and cleaning, assessed in practice and in writing.",
    "issuer_name": "Acme Training",
    "issued_on": "7 March 2026",
    "expires_on": "7 March 2028",
    "id": "c-01J9Z8Q4K7",
    "url": "https://certify.example.com/verify/c-01J9Z8Q4K7",
}

NAVY, GOLD, GREY = (0x1F, 0x2A, 0x44), (0xB0, 0x8D, 0x57), (0x5B, 0x64, 0x75)


def qr_pattern(side=33, seed=7):
    """A fixed QR-like grid: three finder squares and pseudo-random modules."""
    rng = random.Random(seed)
    grid = [[rng.random() < 0.5 for _ in range(side)] for _ in range(side)]
    for ox, oy in ((0, 0), (side - 7, 0), (0, side - 7)):
        for y in range(-1, 8):
            for x in range(-1, 8):
                if 0 <= ox + x < side and 0 <= oy + y < side:
                    ring = max(abs(x - 3), abs(y - 3))
                    grid[oy + y][ox + x] = ring in (0, 1, 3)
    return grid


QR = qr_pattern()


def qr_runs(grid=QR):
    """The dark modules row by row as runs: (row, first column, length)."""
    for y, row in enumerate(grid):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            yield y, start, x - start


def fit(pdf, text, style, largest, smallest, width):
    pdf.set_font("DejaVu", style, largest)
    measured = pdf.get_string_width(text)
    size = largest if measured <= width else max(smallest, largest * width / measured)
    pdf.set_font_size(size)
    return size


def wrap(pdf, text, width, lines=3):
    out, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if pdf.get_string_width(candidate) <= width or not line:
            line = candidate
        else:
            out.append(line)
            line = word
    out.append(line)
    if len(out) > lines:
        last = " ".join(out[lines - 1 :])
        while pdf.get_string_width(last + "…") > width:
            last = last[:-1]
        out = out[: lines - 1] + [last.rstrip() + "…"]
    return out


def centered(pdf, x, y, text):
    pdf.text(x - pdf.get_string_width(text) / 2, y, text)


def draw_page(pdf, c):
    pdf.add_page()
    pdf.set_line_width(3)
    pdf.set_draw_color(*NAVY)
    pdf.rect(20, 20, 802, 555)
    pdf.set_line_width(1)
    pdf.set_draw_color(*GOLD)
    pdf.rect(29, 29, 784, 537)

    pdf.set_text_color(*NAVY)
    pdf.set_font("DejaVu", "B", 30)
    pdf.set_char_spacing(8)
    centered(pdf, 421, 98, "CERTIFICATE")
    pdf.set_char_spacing(0)
    pdf.set_text_color(*GREY)
    pdf.set_font("DejaVu", "", 13)
    centered(pdf, 421, 150, "This certifies that")
    pdf.set_text_color(*NAVY)
    fit(pdf, c["holder_name"], "B", 40, 16, 720)
    centered(pdf, 421, 212, c["holder_name"])
    pdf.line(251, 234, 591, 234)
    pdf.set_text_color(*GREY)
    pdf.set_font("DejaVu", "", 13)
    centered(pdf, 421, 264, "has been awarded the certification")
    pdf.set_text_color(*NAVY)
    fit(pdf, c["name"], "B", 22, 12, 680)
    centered(pdf, 421, 300, c["name"])
    pdf.set_text_color(*GREY)
    pdf.set_font("DejaVu", "", 11)
    for i, line in enumerate(wrap(pdf, c["description"], 640)):
        centered(pdf, 421, 326 + 15 * i, line)

    pdf.set_font("DejaVu", "", 8)
    pdf.set_char_spacing(1.5)
    for x, label in ((191, "ISSUED BY"), (421, "ISSUED ON"), (651, "EXPIRES")):
        centered(pdf, x, 408, label)
    pdf.text(64, 500, "CERTIFICATE ID")
    pdf.text(64, 537, "VERIFY AT")
    pdf.set_char_spacing(0)
    pdf.set_text_color(*NAVY)
    fit(pdf, c["issuer_name"], "", 13, 8, 220)
    centered(pdf, 191, 428, c["issuer_name"])
    pdf.set_font("DejaVu", "", 13)
    centered(pdf, 421, 428, c["issued_on"])
    centered(pdf, 651, 428, c["expires_on"])
    fit(pdf, c["id"], "", 10, 6, 600)
    pdf.text(64, 515, c["id"])
    fit(pdf, c["url"], "", 10, 6, 600)
    pdf.text(64, 552, c["url"])

    pdf.set_fill_color(*NAVY)
    module = 92 / len(QR)
    for y, start, length in qr_runs():
        pdf.rect(700 + start * module, 452 + y * module, length * module, module, style="F")


def new_document():
    pdf = fpdf.FPDF(orientation="L", unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONTS / "NotoSans-Regular.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "NotoSans-Bold.ttf"))
    return pdf


def one_certificate():
    pdf = new_document()
    draw_page(pdf, CERTIFICATE)
    return bytes(pdf.output())


def n_pages(n):
    pdf = new_document()
    for _ in range(n):
        draw_page(pdf, CERTIFICATE)
    pdf.output()


def measure(tool, doc, one_certificate, n_pages):
    """Times `one_certificate()` (a whole document) and `n_pages(n)` (one document of n
    pages) as the command line asks, and prints both figures for scripts/bench-render."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=50, help="certificates to draw (default 50)")
    parser.add_argument("--out", help="also write one certificate to this PDF file")
    args = parser.parse_args()

    one = one_certificate()  # warm-up: imports, caches
    if args.out:
        pathlib.Path(args.out).write_bytes(one)

    start = time.perf_counter()
    for _ in range(args.n):
        one_certificate()
    per_document = (time.perf_counter() - start) * 1000 / args.n

    start = time.perf_counter()
    n_pages(args.n)
    per_page = (time.perf_counter() - start) * 1000 / args.n

    print(f"{tool}: {per_document:.2f} ms per certificate (one document each, {len(one)} bytes)")
    print(f"{tool}: {per_page:.2f} ms per page (one document of {args.n} pages)")


def main():
    measure(f"fpdf2 {fpdf.__version__}", __doc__, one_certificate, n_pages)


if __name__ == "__main__":
    main()
