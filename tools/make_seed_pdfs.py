#!/usr/bin/env python3
"""Renders the seed texts (data/seeds/*.txt) as PDF files laid out like the municipality's
published documents: A4, a running header with body and date on every page (extracts), a
time column for the "Tid / Punkt" table, wrapped paragraphs and page numbers.

Used once to make the committed fixtures in data/seeds-pdf/; kept so they can be remade:

    pip install reportlab && python3 tools/make_seed_pdfs.py
"""
import re
import textwrap
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent
SRC, OUT = ROOT / "data/seeds", ROOT / "data/seeds-pdf"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
pdfmetrics.registerFont(TTFont("Body", FONT))

W, H = A4
LEFT, TOP, BOTTOM, LINE = 72, H - 90, 72, 14
TIME = re.compile(r"^\s*(\d{1,2}[.:]\d{2}-?)\s+(.*)$")
HEADER = re.compile(r"^\s*\S.* \d\d-\d\d-\d{4}\s*$")


def unhtml(s):
    # A table cell's first paragraph stays on the row (time or empty time cell).
    s = re.sub(r"^(\s*(?:\d{1,2}[.:]\d{2}-?)?)\t<p>", r"\1\t", s)
    # Items written inline in a list become lines of their own.
    s = re.sub(r"(<ul[^>]*>.*)", lambda m: re.sub(r"\s+-\s+(?=[A-ZÆØÅ])", "\n- ", m.group(1)), s)
    s = re.sub(r"</?p>", "\n\n", s)
    s = re.sub(r"<ul[^>]*>", "\n", s)
    s = s.replace("</ul>", "\n")
    s = re.sub(r"<[^>]+>", "", s)
    return s


def logical_lines(text):
    """(kind, text) lines: 'gap' for a paragraph break, else text with layout kept."""
    raw = text.replace("\r", "").split("\n")
    nonblank = [l for l in raw if l.strip()]
    double = sum(1 for a, b in zip(raw, raw[1:]) if a.strip() and b == "") > 0.8 * len(nonblank)
    out, empties = [], 0
    for l in raw:
        if not l.strip():
            if (double and (l != "" or empties >= 1)) or not double:
                out.append(("gap", ""))
            empties += 1
            continue
        empties = 0
        for piece in unhtml(l).split("\n"):
            if piece.strip():
                out.append(("text", piece.rstrip()))
            else:
                out.append(("gap", ""))
    return out


class Doc:
    def __init__(self, path, header):
        self.c = canvas.Canvas(str(path), pagesize=A4)
        self.c.setTitle(path.stem)
        self.header, self.page, self.y = header, 0, 0
        self.new_page()

    def new_page(self):
        if self.page:
            self.c.setFont("Body", 9)
            self.c.drawRightString(W - LEFT, 40, f"Side {self.page}")
            self.c.showPage()
        self.page += 1
        self.y = TOP
        if self.header:
            self.c.setFont("Body", 9)
            self.c.drawString(LEFT, H - 50, self.header)
        self.c.setFont("Body", 10.5)

    def line(self, x, s):
        if self.y < BOTTOM:
            self.new_page()
        self.c.setFont("Body", 10.5)
        self.c.drawString(x, self.y, s)
        self.y -= LINE

    def gap(self):
        self.y -= LINE * 0.8

    def save(self):
        self.c.setFont("Body", 9)
        self.c.drawRightString(W - LEFT, 40, f"Side {self.page}")
        self.c.save()


def fit(text, width, size=10.5):
    """Lines of `text` that fit `width` points in the body font."""
    return simpleSplit(text, "Body", size, width) or [""]


def render(src):
    text = src.read_text(encoding="utf-8")
    first = next(l for l in text.split("\n") if l.strip())
    header = first.strip() if HEADER.match(first) else None
    doc = Doc(OUT / (src.stem + ".pdf"), header)
    body_width = W - 2 * LEFT
    in_table = False
    last_gap = True
    for kind, s in logical_lines(text):
        if kind == "gap":
            if not last_gap:
                doc.gap()
            last_gap = True
            continue
        if header and s.strip() == header:
            continue  # the running header is drawn on every page
        t = s.strip()
        if re.match(r"^Tid\s+Punkt$", t):
            in_table = True
        elif t in ("Indstilling", "Bilag:", "Sagsfremstilling") or t.startswith("Beslutning"):
            in_table = False
        m = TIME.match(s.replace("\t", " "))
        if "\t" in s and not m:
            cells = [c.strip() for c in s.split("\t")]
            xs = [LEFT, LEFT + 60, LEFT + 120, LEFT + 390][: len(cells)]
            if doc.y < BOTTOM:
                doc.new_page()
            for k, (x, cell) in enumerate(zip(xs, cells)):
                room = (xs[k + 1] if k + 1 < len(xs) else W - LEFT) - x - 8
                parts = fit(cell, room)
                doc.c.drawString(x, doc.y, parts[0])
                for extra in parts[1:]:
                    doc.y -= LINE
                    doc.c.drawString(x, doc.y, extra)
            doc.y -= LINE
        elif m and in_table:
            if not last_gap:
                doc.gap()
            wrapped = fit(m.group(2).strip(), body_width - 60)
            if doc.y < BOTTOM:
                doc.new_page()
            doc.c.setFont("Body", 10.5)
            doc.c.drawString(LEFT, doc.y, m.group(1))
            doc.c.drawString(LEFT + 60, doc.y, wrapped[0])
            doc.y -= LINE
            for w in wrapped[1:]:
                doc.line(LEFT + 60, w)
        else:
            indent = LEFT + 60 if in_table else LEFT
            if in_table and s.startswith((" ", "\t")) and t[:1].isupper() and not t.startswith("- "):
                if not last_gap:
                    doc.gap()  # a row without a time
            for w in fit(t, W - LEFT - indent):
                doc.line(indent, w)
        last_gap = False
    doc.save()


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for src in sorted(SRC.glob("*.txt")):
        render(src)
        print("wrote", OUT / (src.stem + ".pdf"))
