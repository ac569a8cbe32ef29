//! The page of a plot: a title, a grid of panels (one per `--facet` value) with their axes, a
//! column on the right for the legend or colour bar, and a strip at the bottom for the x label,
//! the bound's legend and a note on what the error bars are. Data are drawn only inside the
//! panels; nothing else ever covers them.

use super::axes::{Scale, Tick};
use super::svg::{Anchor, Font, Svg};

/// Font sizes at the default size, every one at least 12 px.
pub const TITLE: Font = Font::bold(20.0);
pub const PANEL_TITLE: Font = Font::bold(15.0);
pub const AXIS_LABEL: Font = Font::plain(16.0);
pub const TICK_LABEL: Font = Font::plain(14.0);
pub const LEGEND: Font = Font::plain(14.0);
pub const NOTE: Font = Font::plain(13.0);

/// A rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// Where everything goes on the page.
#[derive(Clone, Debug)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// The data areas, row by row.
    pub panels: Vec<Rect>,
    /// The column right of the panels (legend, colour bar).
    pub side: Rect,
    /// The top of the bottom strip (below the x tick labels).
    pub bottom_y: f64,
}

/// Space around a panel for its tick labels and title.
const TICKS_BELOW: f64 = 30.0;
const PANEL_HEAD: f64 = 24.0;
const GAP: f64 = 18.0;

/// Columns and rows of a grid of `count` panels: up to three in a row, then as square as
/// possible.
pub fn grid(count: usize) -> (usize, usize) {
    let cols = if count <= 3 {
        count.max(1)
    } else {
        (count as f64).sqrt().ceil() as usize
    };
    (cols, count.div_ceil(cols).max(1))
}

/// The default page size for `count` panels, in whole pixels.
pub fn default_size(count: usize, side_px: f64) -> (f64, f64) {
    let (cols, rows) = grid(count);
    let side_px = side_px.ceil();
    if count <= 1 {
        return (760.0 + side_px, 620.0);
    }
    (
        cols as f64 * 420.0 + side_px + 60.0,
        rows as f64 * 360.0 + 170.0,
    )
}

/// The room left of a panel for y tick labels as wide as the widest of `labels`.
pub fn ticks_left(labels: &[String]) -> f64 {
    let widest = labels
        .iter()
        .map(|l| TICK_LABEL.width_px(l))
        .fold(0.0, f64::max);
    (widest + 18.0).max(40.0)
}

/// Lays out `count` panels on a `width` × `height` page with a side column `side_px` wide,
/// `ticks_left_px` for the y tick labels and `bottom_lines` lines of text under the x label.
pub fn layout(
    (width, height): (f64, f64),
    count: usize,
    side_px: f64,
    ticks_left_px: f64,
    bottom_lines: usize,
) -> Layout {
    let (cols, rows) = grid(count);
    let head = if count > 1 { PANEL_HEAD } else { 6.0 };
    let top = 44.0;
    let left = 30.0; // the y label
    let bottom = 34.0 + bottom_lines as f64 * 20.0; // the x label and the notes
    let area_w = (width - left - side_px - 10.0).max(80.0);
    let area_h = (height - top - bottom).max(80.0);
    let cell_w = area_w / cols as f64;
    let cell_h = area_h / rows as f64;
    let panels = (0..count)
        .map(|i| {
            let (c, r) = (i % cols, i / cols);
            let x = left + c as f64 * cell_w + ticks_left_px;
            let y = top + r as f64 * cell_h + head;
            Rect {
                x,
                y,
                w: (cell_w - ticks_left_px - GAP).max(20.0),
                h: (cell_h - head - TICKS_BELOW - if r + 1 < rows { GAP } else { 0.0 }).max(20.0),
            }
        })
        .collect();
    Layout {
        width,
        height,
        panels,
        side: Rect {
            x: width - side_px - 10.0,
            y: top + head,
            w: side_px,
            h: area_h - head - TICKS_BELOW,
        },
        bottom_y: top + area_h,
    }
}

/// The title, the shared axis labels, and the panel titles.
pub fn draw_labels(
    svg: &mut Svg,
    l: &Layout,
    title: &str,
    x_label: &str,
    y_label: &str,
    panel_titles: &[String],
) {
    let first = l.panels[0];
    let last_right = l.panels.iter().map(|p| p.right()).fold(0.0, f64::max);
    draw_title(svg, l.width, title);
    let centre = (first.x + last_right) / 2.0;
    svg.text(
        (centre, l.bottom_y + 22.0),
        AXIS_LABEL,
        Anchor::Middle,
        false,
        x_label,
    );
    let bottom = l.panels.iter().map(|p| p.bottom()).fold(0.0, f64::max);
    svg.text(
        (22.0, (first.y + bottom) / 2.0),
        AXIS_LABEL,
        Anchor::Middle,
        true,
        y_label,
    );
    for (p, t) in l.panels.iter().zip(panel_titles) {
        svg.text(
            (p.x + p.w / 2.0, p.y - 8.0),
            PANEL_TITLE,
            Anchor::Middle,
            false,
            t,
        );
    }
}

/// The title, centred on the page: shrunk to fit (not below 14 px), then broken in two lines.
fn draw_title(svg: &mut Svg, width: f64, title: &str) {
    let room = width - 24.0;
    let natural = TITLE.width_px(title);
    let size = (TITLE.size_px * room / natural).clamp(14.0, TITLE.size_px);
    let font = Font::bold(size);
    let middle = title.len() / 2;
    let split = title
        .match_indices(' ')
        .map(|(i, _)| i)
        .min_by_key(|i| i.abs_diff(middle));
    let (Some(split), false) = (split, font.width_px(title) <= room + 0.5) else {
        svg.text((width / 2.0, 28.0), font, Anchor::Middle, false, title);
        return;
    };
    let (a, b) = title.split_at(split);
    svg.text((width / 2.0, 18.0), font, Anchor::Middle, false, a.trim());
    svg.text((width / 2.0, 36.0), font, Anchor::Middle, false, b.trim());
}

/// Notes under the x label, one a line from line `first`, starting at the left edge.
pub fn draw_notes(svg: &mut Svg, l: &Layout, first: usize, notes: &[String]) {
    for (i, note) in notes.iter().enumerate() {
        let line = (first + i) as f64;
        svg.text(
            (12.0, l.bottom_y + 44.0 + 20.0 * line),
            NOTE,
            Anchor::Start,
            false,
            note,
        );
    }
}

/// Pixel position of `v` along the x axis of `p`.
pub fn px(p: &Rect, s: &Scale, v: f64) -> f64 {
    p.x + s.fraction(v) * p.w
}

/// Pixel position of `v` along the y axis of `p` (up is larger).
pub fn py(p: &Rect, s: &Scale, v: f64) -> f64 {
    p.bottom() - s.fraction(v) * p.h
}

/// The axes of panel `p`: frame, tick marks (minor ones shorter), tick labels that do not
/// collide, and light grid lines at labelled ticks when `grid` is set.
pub fn draw_axes(
    svg: &mut Svg,
    p: &Rect,
    (xs, xt): (&Scale, &[Tick]),
    (ys, yt): (&Scale, &[Tick]),
    grid: bool,
) {
    let inside = |f: f64| (-1e-9..=1.0 + 1e-9).contains(&f);
    if grid {
        for t in xt
            .iter()
            .filter(|t| t.label.is_some() && inside(xs.fraction(t.value)))
        {
            let x = px(p, xs, t.value);
            svg.line((x, p.y), (x, p.bottom()), "#e3e3e3", 1.0);
        }
        for t in yt.iter().filter(|t| inside(ys.fraction(t.value))) {
            let y = py(p, ys, t.value);
            let colour = if t.label.is_some() {
                "#e3e3e3"
            } else {
                "#f2f2f2"
            };
            svg.line((p.x, y), (p.right(), y), colour, 1.0);
        }
    }
    let mut last_right = f64::MIN;
    for t in xt.iter().filter(|t| inside(xs.fraction(t.value))) {
        let x = px(p, xs, t.value);
        let len = if t.label.is_some() { 6.0 } else { 3.0 };
        svg.line((x, p.bottom()), (x, p.bottom() + len), "#000000", 1.0);
        if let Some(label) = &t.label {
            let half = TICK_LABEL.width_px(label) / 2.0;
            if x - half > last_right + 4.0 {
                svg.text(
                    (x, p.bottom() + 22.0),
                    TICK_LABEL,
                    Anchor::Middle,
                    false,
                    label,
                );
                last_right = x + half;
            }
        }
    }
    let mut last_top = f64::MAX;
    for t in yt.iter().filter(|t| inside(ys.fraction(t.value))) {
        let y = py(p, ys, t.value);
        let len = if t.label.is_some() { 6.0 } else { 3.0 };
        svg.line((p.x - len, y), (p.x, y), "#000000", 1.0);
        if let Some(label) = &t.label
            && y + TICK_LABEL.size_px / 2.0 < last_top - 2.0
        {
            svg.text((p.x - 9.0, y + 5.0), TICK_LABEL, Anchor::End, false, label);
            last_top = y - TICK_LABEL.size_px / 2.0;
        }
    }
    svg.rect(p.x, p.y, p.w, p.h, "none", Some(("#000000", 1.0)), None);
}
