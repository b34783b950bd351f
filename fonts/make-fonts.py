#!/usr/bin/env python3
"""Rebuilds the subset fonts in this folder from Debian's fonts-noto-cjk.

    apt-get install fonts-noto-cjk && pip install fonttools
    python3 fonts/make-fonts.py

Keeps every character of GB 18030's required CJK set (CJK Unified Ideographs
U+4E00-U+9FFF and Extension A U+3400-U+4DBF, which hold all of GB 2312), ASCII,
Latin-1, the punctuation, symbol and full-width blocks, and the characters
listed in extra-chars.txt. Only the faces the templates use: 宋体 regular, 黑体
regular and bold.
"""
import pathlib
from fontTools import subset
from fontTools.ttLib import TTCollection

SRC = pathlib.Path("/usr/share/fonts/opentype/noto")
HERE = pathlib.Path(__file__).resolve().parent
FACES = [  # (collection, face index of the SC font, output)
    ("NotoSerifCJK-Regular.ttc", 2, "NotoSerifCJKsc-Regular-subset.otf"),
    ("NotoSansCJK-Regular.ttc", 2, "NotoSansCJKsc-Regular-subset.otf"),
    ("NotoSansCJK-Bold.ttc", 2, "NotoSansCJKsc-Bold-subset.otf"),
]


def codepoints():
    cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    for lo, hi in [(0x2000, 0x206F), (0x2100, 0x214F), (0x2150, 0x218F), (0x2190, 0x21FF),
                   (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF),
                   (0x3000, 0x303F), (0x3200, 0x32FF), (0xFF00, 0xFFEF), (0xFE30, 0xFE4F),
                   (0x3400, 0x4DBF), (0x4E00, 0x9FFF)]:
        cps |= set(range(lo, hi + 1))
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes([b1, b2]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    extra = HERE / "extra-chars.txt"
    if extra.exists():
        cps |= {ord(c) for c in extra.read_text(encoding="utf-8") if not c.isspace()}
    return sorted(cps)


def main():
    cps = codepoints()
    opts = subset.Options()
    # The features Chinese text uses. All of them ("*", or just "locl") would
    # keep every other locale's alternate glyphs too (JP/KR/TC forms): 18,000
    # glyphs more, past 32,767 glyph ids, which Typst 0.15 then fails to shape
    # (every glyph comes out as .notdef, measured).
    opts.layout_features = ["ccmp", "kern", "liga", "palt", "halt", "vert", "vrt2",
                            "fwid", "hwid", "pwid"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    for coll, index, out in FACES:
        font = TTCollection(SRC / coll).fonts[index]
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=cps)
        sub.subset(font)
        font.save(HERE / out)
        print(out, (HERE / out).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
