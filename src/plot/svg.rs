//! A small SVG writer: the handful of elements a plot is made of (rectangles with an optional
//! hover `<title>`, lines, polylines with dashes, markers, text), with coordinates rounded to a
//! tenth of a pixel so the same picture is always the same bytes.

use std::fmt::Write;

/// The fonts asked for, in order: DejaVu Sans first, since it is what the PNG rasteriser finds
/// on a Debian machine, so SVG and PNG look alike.
pub const FONT_FAMILY: &str = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

/// Horizontal alignment of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// The style of one text.
#[derive(Clone, Copy, Debug)]
pub struct Font {
    pub size_px: f64,
    pub bold: bool,
    pub colour: &'static str,
}

impl Font {
    pub const fn plain(size_px: f64) -> Font {
        Font {
            size_px,
            bold: false,
            colour: "#000000",
        }
    }

    pub const fn bold(size_px: f64) -> Font {
        Font {
            size_px,
            bold: true,
            colour: "#000000",
        }
    }

    /// A generous estimate of the width of `text` (DejaVu Sans averages about 0.6 em a
    /// character), for laying out legends and skipping crowded tick labels.
    pub fn width_px(&self, text: &str) -> f64 {
        text.chars().count() as f64 * self.size_px * if self.bold { 0.66 } else { 0.6 }
    }
}

/// The shape of a marker; with the dash pattern it tells series apart without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Cross,
    Plus,
    Star,
}

/// Escapes text for SVG content and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A picture being written.
pub struct Svg {
    out: String,
}

fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_string()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

impl Svg {
    /// A white picture of `width_px` × `height_px`.
    pub fn new(width_px: f64, height_px: f64) -> Svg {
        let mut out = String::new();
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}">"#,
            w = n(width_px),
            h = n(height_px)
        );
        let mut svg = Svg { out };
        svg.rect(0.0, 0.0, width_px, height_px, "#ffffff", None, None);
        svg
    }

    /// A rectangle filled with `fill`, with an optional outline and hover title.
    #[allow(clippy::too_many_arguments)]
    pub fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        stroke: Option<(&str, f64)>,
        title: Option<&str>,
    ) {
        let _ = write!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}""#,
            n(x),
            n(y),
            n(w),
            n(h)
        );
        if let Some((colour, width)) = stroke {
            let _ = write!(
                self.out,
                r#" stroke="{colour}" stroke-width="{}""#,
                n(width)
            );
        }
        match title {
            Some(t) => {
                let _ = writeln!(self.out, "><title>{}</title></rect>", escape(t));
            }
            None => self.out.push_str("/>\n"),
        }
    }

    /// A straight line.
    pub fn line(&mut self, a: (f64, f64), b: (f64, f64), colour: &str, width: f64) {
        self.polyline(&[a, b], colour, width, None);
    }

    /// Connected segments, optionally dashed (`dash` is an SVG `stroke-dasharray`).
    pub fn polyline(
        &mut self,
        points: &[(f64, f64)],
        colour: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let pts: Vec<String> = points
            .iter()
            .map(|&(x, y)| format!("{},{}", n(x), n(y)))
            .collect();
        let _ = write!(
            self.out,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="{}" stroke-linejoin="round""#,
            pts.join(" "),
            n(width)
        );
        if let Some(d) = dash {
            let _ = write!(self.out, r#" stroke-dasharray="{d}""#);
        }
        self.out.push_str("/>\n");
    }

    /// A filled polygon, `opacity` in 0..=1.
    pub fn polygon(&mut self, points: &[(f64, f64)], fill: &str, opacity: f64) {
        let pts: Vec<String> = points
            .iter()
            .map(|&(x, y)| format!("{},{}", n(x), n(y)))
            .collect();
        let _ = writeln!(
            self.out,
            r#"<polygon points="{}" fill="{fill}" fill-opacity="{opacity:.2}" stroke="none"/>"#,
            pts.join(" ")
        );
    }

    /// A marker of `shape` centred on `(x, y)`, `r` pixels from centre to edge, white-edged so
    /// overlapping markers stay apart.
    pub fn marker(&mut self, shape: Shape, (x, y): (f64, f64), r: f64, colour: &str) {
        let edge = r##"stroke="#ffffff" stroke-width="1""##;
        let poly = |pts: &[(f64, f64)]| -> String {
            pts.iter()
                .map(|&(dx, dy)| format!("{},{}", n(x + dx * r), n(y + dy * r)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let text = match shape {
            Shape::Circle => format!(
                r#"<circle cx="{}" cy="{}" r="{}" fill="{colour}" {edge}/>"#,
                n(x),
                n(y),
                n(r)
            ),
            Shape::Square => format!(
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{colour}" {edge}/>"#,
                n(x - r * 0.9),
                n(y - r * 0.9),
                n(r * 1.8),
                n(r * 1.8)
            ),
            Shape::TriangleUp => format!(
                r#"<polygon points="{}" fill="{colour}" {edge}/>"#,
                poly(&[(0.0, -1.2), (1.1, 0.8), (-1.1, 0.8)])
            ),
            Shape::TriangleDown => format!(
                r#"<polygon points="{}" fill="{colour}" {edge}/>"#,
                poly(&[(0.0, 1.2), (1.1, -0.8), (-1.1, -0.8)])
            ),
            Shape::Diamond => format!(
                r#"<polygon points="{}" fill="{colour}" {edge}/>"#,
                poly(&[(0.0, -1.3), (1.0, 0.0), (0.0, 1.3), (-1.0, 0.0)])
            ),
            Shape::Star => format!(
                r#"<polygon points="{}" fill="{colour}" {edge}/>"#,
                poly(&star())
            ),
            Shape::Cross | Shape::Plus => {
                let (a, b) = if shape == Shape::Cross {
                    ((-1.0, -1.0, 1.0, 1.0), (-1.0, 1.0, 1.0, -1.0))
                } else {
                    ((-1.2, 0.0, 1.2, 0.0), (0.0, -1.2, 0.0, 1.2))
                };
                let seg = |(x1, y1, x2, y2): (f64, f64, f64, f64)| {
                    format!(
                        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="2.5"/>"#,
                        n(x + x1 * r),
                        n(y + y1 * r),
                        n(x + x2 * r),
                        n(y + y2 * r)
                    )
                };
                format!("{}{}", seg(a), seg(b))
            }
        };
        self.out.push_str(&text);
        self.out.push('\n');
    }

    /// A text at `(x, y)` (its baseline), rotated a quarter turn anticlockwise if `vertical`.
    pub fn text(
        &mut self,
        (x, y): (f64, f64),
        font: Font,
        anchor: Anchor,
        vertical: bool,
        s: &str,
    ) {
        let anchor = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" fill="{}""#,
            n(x),
            n(y),
            n(font.size_px),
            font.colour
        );
        if font.bold {
            self.out.push_str(r#" font-weight="bold""#);
        }
        if vertical {
            let _ = write!(self.out, r#" transform="rotate(-90 {} {})""#, n(x), n(y));
        }
        let _ = writeln!(self.out, ">{}</text>", escape(s));
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// A five-pointed star, outer radius 1.3, inner 0.55.
fn star() -> Vec<(f64, f64)> {
    (0..10)
        .map(|i| {
            let r = if i % 2 == 0 { 1.3 } else { 0.55 };
            let a = std::f64::consts::PI * (i as f64 / 5.0 - 0.5);
            (r * a.cos(), r * a.sin())
        })
        .collect()
}
