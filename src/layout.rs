//! Checks on the laid-out pages: glyphs printed over other glyphs, crossed by
//! a table rule (text spilling out of its cell), or off the page — what a
//! reader cannot read and text extraction cannot see. The same checks as
//! `shared/tools/overprint.py`, on Typst's frames instead of the PDF.

use typst::layout::{Frame, FrameItem, Point, Transform};
use typst::visualize::Geometry;
use typst_layout::PagedDocument;

// Positions here are page geometry in points (f64), never money.

/// A rule may touch a glyph's edge by this much (points) without crossing it.
const EPS: f64 = 0.6;

/// One problem on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based page number.
    pub page: usize,
    /// `overprint`, `crossed` or `outside`.
    pub kind: &'static str,
    /// The glyph's character.
    pub text: String,
}

#[derive(Debug, Clone)]
struct Glyph {
    c: char,
    x0: f64,
    x1: f64,
    top: f64,
    bottom: f64,
}

#[derive(Default)]
struct Page {
    glyphs: Vec<Glyph>,
    /// x, top, bottom
    vertical: Vec<(f64, f64, f64)>,
    /// y, x0, x1
    horizontal: Vec<(f64, f64, f64)>,
}

/// Every overprinted, crossed or outside glyph of `doc`.
pub fn problems(doc: &PagedDocument) -> Vec<Problem> {
    let mut out = vec![];
    for (i, page) in doc.pages().iter().enumerate() {
        let mut p = Page::default();
        collect(&page.frame, Transform::identity(), &mut p);
        let size = page.frame.size();
        check(&p, i + 1, size.x.to_pt(), size.y.to_pt(), &mut out);
    }
    out
}

/// CJK and ASCII punctuation is legitimately compressed against its neighbours.
fn squeezable(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x2000..=0x206F | 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

fn collect(frame: &Frame, ts: Transform, page: &mut Page) {
    for (pos, item) in frame.items() {
        let at = pos.transform(ts);
        match item {
            FrameItem::Group(g) => {
                let inner = ts
                    .pre_concat(Transform::translate(pos.x, pos.y))
                    .pre_concat(g.transform);
                collect(&g.frame, inner, page);
            }
            FrameItem::Text(t) => {
                let m = t.font.metrics();
                let size = t.size;
                let scale = ts.sx.get();
                let top = at.y.to_pt() - m.ascender.at(size).to_pt() * ts.sy.get();
                let bottom = at.y.to_pt() - m.descender.at(size).to_pt() * ts.sy.get();
                let mut x = at.x.to_pt();
                for g in &t.glyphs {
                    let advance = g.x_advance.at(size).to_pt() * scale;
                    let x0 = x + g.x_offset.at(size).to_pt() * scale;
                    // The glyph's own width, as a PDF reader sees it: shaping
                    // may move space between glyphs (CJK–Latin spacing).
                    let width = t
                        .font
                        .x_advance(g.id)
                        .map_or(advance, |w| w.at(size).to_pt() * scale);
                    let c = t.text[g.range()].chars().next().unwrap_or(' ');
                    if !c.is_whitespace() && !c.is_control() && width > 0.0 {
                        page.glyphs.push(Glyph {
                            c,
                            x0,
                            x1: x0 + width,
                            top,
                            bottom,
                        });
                    }
                    x += advance;
                }
            }
            FrameItem::Shape(shape, _) if shape.stroke.is_some() => {
                let line = |a: Point, b: Point, page: &mut Page| {
                    let (a, b) = (a.transform(ts), b.transform(ts));
                    let (ax, ay, bx, by) = (a.x.to_pt(), a.y.to_pt(), b.x.to_pt(), b.y.to_pt());
                    if (ax - bx).abs() < 0.01 {
                        page.vertical.push((ax, ay.min(by), ay.max(by)));
                    } else if (ay - by).abs() < 0.01 {
                        page.horizontal.push((ay, ax.min(bx), ax.max(bx)));
                    }
                };
                match &shape.geometry {
                    Geometry::Line(to) => line(*pos, *pos + *to, page),
                    Geometry::Rect(s) => {
                        let p = *pos;
                        let (w, h) = (Point::with_x(s.x), Point::with_y(s.y));
                        line(p, p + w, page);
                        line(p + h, p + w + h, page);
                        line(p, p + h, page);
                        line(p + w, p + w + h, page);
                    }
                    Geometry::Curve(_) => {}
                }
            }
            _ => {}
        }
    }
}

fn check(p: &Page, page: usize, width: f64, height: f64, out: &mut Vec<Problem>) {
    let mut report = |kind: &'static str, g: &Glyph| {
        out.push(Problem {
            page,
            kind,
            text: g.c.to_string(),
        });
    };
    let mut order: Vec<&Glyph> = p.glyphs.iter().collect();
    order.sort_by(|a, b| {
        (a.top.round(), a.x0)
            .partial_cmp(&(b.top.round(), b.x0))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for pair in order.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if squeezable(a.c) || squeezable(b.c) {
            continue;
        }
        let (ha, hb) = (a.bottom - a.top, b.bottom - b.top);
        let same_line = (a.top - b.top).abs() < 0.5 * ha.min(hb);
        let overlap = a.x1 - b.x0;
        if same_line && b.x0 >= a.x0 && overlap > 0.25 * (a.x1 - a.x0).min(b.x1 - b.x0) {
            report("overprint", b);
        }
    }
    for g in &p.glyphs {
        if g.x0 < -EPS || g.x1 > width + EPS || g.top < -EPS || g.bottom > height + EPS {
            report("outside", g);
            continue;
        }
        if squeezable(g.c) {
            continue;
        }
        let mid_y = (g.top + g.bottom) / 2.0;
        let mid_x = (g.x0 + g.x1) / 2.0;
        let crossed_v = p.vertical.iter().any(|&(x, top, bottom)| {
            g.x0 + EPS < x && x < g.x1 - EPS && top <= mid_y && mid_y <= bottom
        });
        let crossed_h = p.horizontal.iter().any(|&(y, x0, x1)| {
            g.top + EPS < y && y < g.bottom - EPS && x0 <= mid_x && mid_x <= x1
        });
        if crossed_v || crossed_h {
            report("crossed", g);
        }
    }
}

/// A one-line summary like overprint.py's: `overprint=N crossed=N outside=N`.
pub fn summary(problems: &[Problem]) -> String {
    let count = |k: &str| problems.iter().filter(|p| p.kind == k).count();
    format!(
        "overprint={} crossed={} outside={}",
        count("overprint"),
        count("crossed"),
        count("outside")
    )
}
