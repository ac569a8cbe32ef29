//! Heatmaps: the mean of `--z` on a grid of the distinct values of `--x` and `--y` (integers,
//! decimals or words alike, in order, one band each, so stepped ranges leave no gaps), one
//! panel per `--facet` value with one colour scale (viridis) for all. Each cell says its value,
//! and on hover (`<title>`) its coordinates, its number of trials and, where known, its 95%
//! Wilson interval. Where the rows carry a `bound` label (`inside`/`outside`), the edge between
//! inside and outside cells is drawn as a thick line, labelled with the `bound_rule` (for oral
//! messages over n × t: the staircase n = 3t + 1).

use std::collections::BTreeMap;

use plotters::style::colors::colormaps::ViridisRGB;

use super::PlotArgs;
use super::axes::{Scale, linear_ticks, value_label};
use super::dimensions::check_nothing_hidden;
use super::frame::{self, Layout, Rect};
use super::svg::{Anchor, Font, Svg};
use super::table::Table;
use crate::error::InputError;
use crate::stats::wilson;

/// One heatmap cell: grid coordinates, mean value, and its bound label.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub x: i64,
    pub y: i64,
    pub value: f64,
    pub inside: Option<bool>,
}

/// What one cell gathers from its rows.
#[derive(Default)]
struct Tally {
    sum: f64,
    rows: u64,
    trials: u64,
    successes: u64,
    interval: Option<(f64, f64)>,
    /// `None` before the first row; `Some(None)` once rows disagree or carry no label.
    side: Option<Option<bool>>,
}

/// A segment between two points of the grid.
pub type Segment = ((f64, f64), (f64, f64));

/// Edges between an inside and an outside cell, as segments in grid coordinates.
pub fn bound_edges(cells: &[Cell]) -> Vec<Segment> {
    let at: BTreeMap<(i64, i64), Option<bool>> =
        cells.iter().map(|c| ((c.x, c.y), c.inside)).collect();
    let mut edges = Vec::new();
    for c in cells {
        let Some(inside) = c.inside else { continue };
        let (x, y) = (c.x as f64, c.y as f64);
        if let Some(Some(other)) = at.get(&(c.x + 1, c.y))
            && *other != inside
        {
            edges.push(((x + 0.5, y - 0.5), (x + 0.5, y + 0.5)));
        }
        if let Some(Some(other)) = at.get(&(c.x, c.y + 1))
            && *other != inside
        {
            edges.push(((x - 0.5, y + 0.5), (x + 0.5, y + 0.5)));
        }
    }
    edges
}

fn colour(f: f64) -> String {
    let c = ViridisRGB::get_color(f.clamp(0.0, 1.0));
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The columns a heatmap reads.
struct Columns {
    x: usize,
    y: usize,
    z: usize,
    facet: Option<usize>,
    bound: Option<usize>,
    trials: Option<usize>,
    /// `_lo` and `_hi` of a rate z.
    interval: Option<(usize, usize)>,
    boolean: bool,
}

type Tallies = BTreeMap<String, BTreeMap<(usize, usize), Tally>>;

fn tally(table: &Table, c: &Columns, xs: &[String], ys: &[String]) -> Result<Tallies, InputError> {
    let mut out: Tallies = BTreeMap::new();
    for row in &table.rows {
        let Some(z) = table.number(row, c.z)? else {
            continue;
        };
        let (xv, yv) = (table.text(row, c.x), table.text(row, c.y));
        let (Some(xi), Some(yi)) = (
            xs.iter().position(|v| v == xv),
            ys.iter().position(|v| v == yv),
        ) else {
            continue;
        };
        let facet = c
            .facet
            .map_or(String::new(), |f| table.text(row, f).to_string());
        let t = out.entry(facet).or_default().entry((xi, yi)).or_default();
        let label = c.bound.and_then(|b| match table.text(row, b) {
            "inside" => Some(true),
            "outside" => Some(false),
            _ => None,
        });
        t.side = match t.side {
            None => Some(label),
            Some(seen) if seen == label => Some(seen),
            Some(_) => Some(None),
        };
        t.sum += z;
        t.rows += 1;
        let trials = match c.trials {
            Some(tc) => table.number(row, tc)?.unwrap_or(0.0).round() as u64,
            None => 1,
        };
        t.trials += trials;
        if c.boolean {
            t.successes += (z == 1.0) as u64;
        } else {
            t.successes += (z * trials as f64).round() as u64;
        }
        t.interval = match (t.rows, c.interval) {
            (1, Some((lo, hi))) => table.number(row, lo)?.zip(table.number(row, hi)?),
            _ => None,
        };
    }
    Ok(out)
}

/// The hover text of a cell.
fn hover(names: (&str, &str, &str), at: (&str, &str), t: &Tally, c: &Columns) -> String {
    let value = t.sum / t.rows as f64;
    let mut s = format!(
        "{}, {}: {} = {value:.3}",
        value_label(names.0, at.0),
        value_label(names.1, at.1),
        names.2
    );
    let interval = if c.boolean || (c.interval.is_some() && c.trials.is_some() && t.rows > 1) {
        Some(wilson(t.successes, t.trials))
    } else {
        t.interval
    };
    if let Some((lo, hi)) = interval {
        s.push_str(&format!(" (95% Wilson interval {lo:.3} to {hi:.3})"));
    }
    let trials = if c.trials.is_some() || c.boolean {
        t.trials
    } else {
        t.rows
    };
    let unit = if c.trials.is_some() || c.boolean {
        "trials"
    } else {
        "rows"
    };
    s.push_str(&format!("; {trials} {unit}"));
    s
}

/// The SVG of the heatmap `args` asks for, colouring by column `z`.
pub fn render(table: &Table, args: &PlotArgs, z: &str) -> Result<String, InputError> {
    let zc = table.column(z)?;
    let c = Columns {
        x: table.column(&args.x)?,
        y: table.column(&args.y)?,
        z: zc,
        facet: args.facet.as_deref().map(|f| table.column(f)).transpose()?,
        bound: table.has("bound"),
        trials: table.has("trials"),
        interval: z.strip_suffix("_rate").and_then(|stem| {
            table
                .has(&format!("{stem}_lo"))
                .zip(table.has(&format!("{stem}_hi")))
        }),
        boolean: table.is_boolean(zc),
    };
    let shown: Vec<usize> = [Some(c.x), Some(c.y), c.facet]
        .into_iter()
        .flatten()
        .collect();
    check_nothing_hidden(table, &shown, false)?;
    let with_z: Vec<&csv::StringRecord> = table
        .rows
        .iter()
        .filter(|r| !table.text(r, zc).is_empty())
        .collect();
    let subset = Table {
        file: table.file.clone(),
        header: table.header.clone(),
        rows: with_z.into_iter().cloned().collect(),
    };
    let (xs, ys) = (subset.distinct(c.x), subset.distinct(c.y));
    let tallies = tally(table, &c, &xs, &ys)?;
    if tallies.is_empty() {
        return Err(InputError::file(&table.file, "no row has a number in z"));
    }
    let mut facets: Vec<String> = tallies.keys().cloned().collect();
    super::table::sort_values(&mut facets);
    let values = tallies
        .values()
        .flat_map(|m| m.values().map(|t| t.sum / t.rows as f64));
    let (mut lo, mut hi) = values.fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(v), h.max(v)));
    if lo >= 0.0 && hi <= 1.0 {
        (lo, hi) = (0.0, 1.0);
    } else if hi <= lo {
        hi = lo + 1.0;
    }
    let bar_ticks = linear_ticks(lo, hi, 5);
    let bar_labels: Vec<String> = bar_ticks.iter().filter_map(|t| t.label.clone()).collect();
    let side = 18.0 + 10.0 + frame::ticks_left(&bar_labels) + 30.0;
    let rule = table.has("bound_rule").and_then(|rc| {
        table
            .rows
            .iter()
            .map(|r| table.text(r, rc))
            .find(|s| !s.is_empty())
            .map(str::to_string)
    });
    let cells_by_facet: Vec<(String, Vec<Cell>)> = facets
        .iter()
        .map(|f| {
            let cells = tallies[f]
                .iter()
                .map(|(&(xi, yi), t)| Cell {
                    x: xi as i64,
                    y: yi as i64,
                    value: t.sum / t.rows as f64,
                    inside: t.side.flatten(),
                })
                .collect();
            (f.clone(), cells)
        })
        .collect();
    let has_bound = cells_by_facet
        .iter()
        .any(|(_, cells)| !bound_edges(cells).is_empty());
    let size = args.size_px(facets.len(), side)?;
    let l: Layout = frame::layout(
        size,
        facets.len(),
        side,
        frame::ticks_left(&ys),
        has_bound as usize + 1,
    );
    let mut svg = Svg::new(l.width, l.height);
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{z} over {} × {}", args.x, args.y));
    let x_label = args.xlabel.clone().unwrap_or_else(|| args.x.clone());
    let y_label = args.ylabel.clone().unwrap_or_else(|| args.y.clone());
    let facet_col = c.facet.map(|f| table.header[f].clone());
    let panel_titles: Vec<String> = facets
        .iter()
        .map(|f| {
            facet_col
                .as_ref()
                .map_or(String::new(), |col| value_label(col, f))
        })
        .collect();
    frame::draw_labels(&mut svg, &l, &title, &x_label, &y_label, &panel_titles);
    let (sx, sy) = (
        Scale::Bands { count: xs.len() },
        Scale::Bands { count: ys.len() },
    );
    for ((facet, cells), p) in cells_by_facet.iter().zip(&l.panels) {
        let (cw, ch) = (p.w / xs.len() as f64, p.h / ys.len() as f64);
        let show_values = cw >= 38.0 && ch >= 18.0;
        for cell in cells {
            let t = &tallies[facet][&(cell.x as usize, cell.y as usize)];
            let f = (cell.value - lo) / (hi - lo);
            let (x, y) = (
                p.x + cell.x as f64 * cw,
                p.bottom() - (cell.y + 1) as f64 * ch,
            );
            let title = hover(
                (&args.x, &args.y, z),
                (&xs[cell.x as usize], &ys[cell.y as usize]),
                t,
                &c,
            );
            let fill = colour(f);
            // An edge of the cell's own colour closes the hairline seams anti-aliasing leaves.
            svg.rect(x, y, cw, ch, &fill, Some((&fill, 0.5)), Some(&title));
            if show_values {
                let ink = if f > 0.55 { "#000000" } else { "#ffffff" };
                let font = Font {
                    colour: ink,
                    ..Font::plain(13.0)
                };
                svg.text(
                    (x + cw / 2.0, y + ch / 2.0 + 4.5),
                    font,
                    Anchor::Middle,
                    false,
                    &format!("{:.2}", cell.value),
                );
            }
        }
        draw_bound(&mut svg, p, (&sx, &sy), &bound_edges(cells));
        frame::draw_axes(
            &mut svg,
            p,
            (&sx, &sx.ticks(&xs)),
            (&sy, &sy.ticks(&ys)),
            false,
        );
    }
    colour_bar(&mut svg, &l.side, (lo, hi), &bar_ticks, z);
    if has_bound {
        let y = l.bottom_y + 44.0;
        svg.line((14.0, y - 5.0), (54.0, y - 5.0), "#ffffff", 7.0);
        svg.line((14.0, y - 5.0), (54.0, y - 5.0), BOUND, 3.5);
        let label = match &rule {
            Some(r) => format!("proven bound (inside: {r})"),
            None => "proven bound".to_string(),
        };
        svg.text((62.0, y), frame::LEGEND, Anchor::Start, false, &label);
    }
    let note = format!(
        "Each cell: mean of {z} over its rows; in the SVG, hover a cell for its trials{}.",
        if c.boolean || c.interval.is_some() {
            " and 95% interval"
        } else {
            ""
        }
    );
    frame::draw_notes(&mut svg, &l, has_bound as usize, &[note]);
    Ok(svg.finish())
}

/// The colour of the bound line: Okabe–Ito vermillion, on a white halo.
const BOUND: &str = "#D55E00";

fn draw_bound(svg: &mut Svg, p: &Rect, (sx, sy): (&Scale, &Scale), edges: &[Segment]) {
    let to_px = |(x, y): (f64, f64)| (frame::px(p, sx, x), frame::py(p, sy, y));
    for (width, colour) in [(7.0, "#ffffff"), (3.5, BOUND)] {
        for &(a, b) in edges {
            svg.line(to_px(a), to_px(b), colour, width);
        }
    }
}

/// The colour bar in the side column, with ticks and the name of z.
fn colour_bar(
    svg: &mut Svg,
    area: &Rect,
    (lo, hi): (f64, f64),
    ticks: &[super::axes::Tick],
    z: &str,
) {
    let (x, w) = (area.x + 6.0, 18.0);
    let steps = 64;
    let h = area.h / steps as f64;
    for i in 0..steps {
        let f = (i as f64 + 0.5) / steps as f64;
        svg.rect(
            x,
            area.bottom() - (i + 1) as f64 * h,
            w,
            h + 0.6,
            &colour(f),
            None,
            None,
        );
    }
    svg.rect(x, area.y, w, area.h, "none", Some(("#000000", 1.0)), None);
    let mut widest: f64 = 0.0;
    for t in ticks {
        let y = area.bottom() - (t.value - lo) / (hi - lo) * area.h;
        svg.line((x + w, y), (x + w + 5.0, y), "#000000", 1.0);
        if let Some(label) = &t.label {
            svg.text(
                (x + w + 8.0, y + 5.0),
                frame::TICK_LABEL,
                Anchor::Start,
                false,
                label,
            );
            widest = widest.max(frame::TICK_LABEL.width_px(label));
        }
    }
    svg.text(
        (x + w + 8.0 + widest + 20.0, area.y + area.h / 2.0),
        frame::AXIS_LABEL,
        Anchor::Middle,
        true,
        z,
    );
}
