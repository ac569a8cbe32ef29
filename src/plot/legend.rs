//! How series are told apart and named. Each series gets a colour from Okabe and Ito's
//! palette (distinguishable with the common colour-vision deficiencies), a marker shape and a
//! dash pattern (so a greyscale print still separates them); the legend sits in the column
//! right of the panels, never over data, and names each series as `column = value`.

use super::frame::{LEGEND, Rect};
use super::svg::{Anchor, Shape, Svg};

/// Okabe & Ito (2008), "Color Universal Design": blue, vermillion, bluish green, reddish
/// purple, orange, sky blue, black, and yellow last (it is faint on white).
pub const OKABE_ITO: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];

const SHAPES: [Shape; 8] = [
    Shape::Circle,
    Shape::Square,
    Shape::TriangleUp,
    Shape::Diamond,
    Shape::TriangleDown,
    Shape::Cross,
    Shape::Plus,
    Shape::Star,
];

/// Dash patterns, cycled with a period prime to the palette's so that colour, shape and dash
/// repeat together only after 56 series.
const DASHES: [Option<&str>; 7] = [
    None,
    Some("9 5"),
    Some("2 4"),
    Some("12 4 2 4"),
    Some("5 3"),
    Some("12 3 2 3 2 3"),
    Some("1 2"),
];

/// The look of series number `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    pub colour: &'static str,
    pub shape: Shape,
    pub dash: Option<&'static str>,
}

pub fn look(i: usize) -> Look {
    Look {
        colour: OKABE_ITO[i % OKABE_ITO.len()],
        shape: SHAPES[i % SHAPES.len()],
        dash: DASHES[i % DASHES.len()],
    }
}

/// The width a legend of these labels needs.
pub fn width_px(labels: &[String]) -> f64 {
    labels
        .iter()
        .map(|l| LEGEND.width_px(l))
        .fold(0.0, f64::max)
        + 64.0
}

/// The legend, top-aligned in the side column `area`.
pub fn draw(svg: &mut Svg, area: &Rect, entries: &[(String, Look)]) {
    let row_h = 26.0;
    let h = entries.len() as f64 * row_h + 12.0;
    svg.rect(
        area.x,
        area.y,
        area.w,
        h,
        "#ffffff",
        Some(("#888888", 1.0)),
        None,
    );
    for (i, (label, look)) in entries.iter().enumerate() {
        let y = area.y + 6.0 + row_h * (i as f64 + 0.5);
        let (x0, x1) = (area.x + 8.0, area.x + 48.0);
        svg.polyline(&[(x0, y), (x1, y)], look.colour, 2.5, look.dash);
        svg.marker(look.shape, ((x0 + x1) / 2.0, y), 5.0, look.colour);
        svg.text((x1 + 8.0, y + 5.0), LEGEND, Anchor::Start, false, label);
    }
}
