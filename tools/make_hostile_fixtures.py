#!/usr/bin/env python3
"""Writes the hostile files the reliability tests feed to protokol (data/hostile/).

- slow-stream.pdf: a 13 KB PDF whose one content stream is compressed twice
  (/Filter [/FlateDecode /FlateDecode]) and expands to 1.7 GB of text operators drawing the
  same glyph again and again. pdftotext spends minutes and hundreds of megabytes on it while
  printing nothing; protokol must stop it at its limits and refuse the file.

Used once to make the committed fixtures; kept so they can be remade:

    python3 tools/make_hostile_fixtures.py
"""
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data/hostile"


def pdf(objects):
    out = b"%PDF-1.4\n"
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def slow_stream():
    unit = b"BT /F1 1 Tf 0 0 Td (A) Tj ET\n"
    block = unit * 100_000
    c = zlib.compressobj(9)
    once = b"".join(c.compress(block) for _ in range(600)) + c.flush()
    twice = zlib.compress(once, 9)
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(twice)
            + twice
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "slow-stream.pdf").write_bytes(slow_stream())
    print("wrote", OUT / "slow-stream.pdf")
