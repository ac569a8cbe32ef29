//! Line plots: one line per `--series` value (default `protocol`), the mean of y at each x,
//! in one panel per `--facet` value on shared axes, with the uncertainty of each point drawn as
//! an error bar:
//!
//! - a rate from a summary (`agreement_rate`) has its 95% Wilson interval in `agreement_lo`
//!   and `agreement_hi`; where several summary rows meet at one point their counts are pooled
//!   (rate × `trials`) and the interval recomputed;
//! - a `true`/`false` column of per-trial rows is a rate too: Wilson interval from its counts;
//! - a mean from a summary (`mean_messages`) gets ± one standard error from `se_messages`;
//! - any other numeric column of per-trial rows gets ± one standard error of its mean.
//!
//! A note under the plot says which of these the bars are. With `--curve COL`, the mean of COL
//! at each x is drawn too, per series, as a thin dashed line without markers or bars: a model's
//! prediction over the measured points.

use std::collections::BTreeMap;

use super::PlotArgs;
use super::axes::{Scale, Tick};
use super::dimensions::check_nothing_hidden;
use super::frame::{self, Layout};
use super::legend::{self, Look};
use super::svg::Svg;
use super::table::{Table, sort_values};
use crate::error::InputError;
use crate::stats::{mean, std_error, wilson};

/// One point of a line: x, the mean of y, and its interval where known.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub interval: Option<(f64, f64)>,
}

/// Where a point's interval comes from.
enum Spread {
    /// `_lo`/`_hi` columns of a summary, and its `trials` column to pool rows.
    RateColumns {
        lo: usize,
        hi: usize,
        trials: Option<usize>,
    },
    /// `true`/`false` per trial.
    Counts,
    /// A summary's `se_` column.
    StdErrColumn(usize),
    /// The spread of per-trial values.
    StdErr,
    /// No interval (a `--curve`).
    None,
}

impl Spread {
    fn of(table: &Table, y: &str, yc: usize) -> Spread {
        if let Some(stem) = y.strip_suffix("_rate")
            && let (Some(lo), Some(hi)) = (
                table.has(&format!("{stem}_lo")),
                table.has(&format!("{stem}_hi")),
            )
        {
            return Spread::RateColumns {
                lo,
                hi,
                trials: table.has("trials"),
            };
        }
        if table.is_boolean(yc) {
            return Spread::Counts;
        }
        if let Some(stem) = y.strip_prefix("mean_")
            && let Some(se) = table.has(&format!("se_{stem}"))
        {
            return Spread::StdErrColumn(se);
        }
        Spread::StdErr
    }

    fn note(&self) -> &'static str {
        match self {
            Spread::RateColumns { .. } | Spread::Counts => {
                "Error bars: 95% Wilson score interval of each rate over its trials."
            }
            Spread::StdErrColumn(_) | Spread::StdErr => {
                "Error bars: ± 1 standard error of the mean over the trials (a bar shorter than its marker is hidden by it)."
            }
            Spread::None => "",
        }
    }

    /// The point made of `rows` (all with this x and a number in y).
    fn point(
        &self,
        table: &Table,
        rows: &[&csv::StringRecord],
        x: f64,
        yc: usize,
    ) -> Result<Point, InputError> {
        let mut ys = Vec::with_capacity(rows.len());
        for r in rows {
            ys.extend(table.number(r, yc)?);
        }
        let y = mean(&ys).unwrap_or(0.0);
        let interval = match *self {
            Spread::RateColumns { lo, hi, trials } => {
                if let [row] = rows {
                    match (table.number(row, lo)?, table.number(row, hi)?) {
                        (Some(l), Some(h)) => Some((l, h)),
                        _ => None,
                    }
                } else if let Some(tc) = trials {
                    let (mut k, mut n) = (0u64, 0u64);
                    for r in rows {
                        let t = table.number(r, tc)?.unwrap_or(0.0).round() as u64;
                        k += (table.number(r, yc)?.unwrap_or(0.0) * t as f64).round() as u64;
                        n += t;
                    }
                    let (l, h) = wilson(k, n);
                    return Ok(Point {
                        x,
                        y: k as f64 / n.max(1) as f64,
                        interval: (n > 0).then_some((l, h)),
                    });
                } else {
                    None
                }
            }
            Spread::Counts => {
                let k = ys.iter().filter(|v| **v == 1.0).count() as u64;
                Some(wilson(k, ys.len() as u64))
            }
            Spread::StdErrColumn(se) => match rows {
                [row] => table.number(row, se)?.map(|s| (y - s, y + s)),
                _ => None,
            },
            Spread::StdErr => std_error(&ys).map(|s| (y - s, y + s)),
            Spread::None => None,
        };
        Ok(Point { x, y, interval })
    }
}

/// Lines by facet value, then by series value: `(facet, [(series, points)])`.
pub type Panels = Vec<(String, Vec<(String, Vec<Point>)>)>;

/// The points of every line, grouped as drawn.
fn panels(
    table: &Table,
    args: &PlotArgs,
    spread: &Spread,
    cols: (usize, usize, Option<usize>, Option<usize>),
) -> Result<Panels, InputError> {
    let (xc, yc, sc, fc) = cols;
    type Groups<'a> =
        BTreeMap<String, BTreeMap<String, BTreeMap<u64, (f64, Vec<&'a csv::StringRecord>)>>>;
    let mut groups: Groups = BTreeMap::new();
    for row in &table.rows {
        let (Some(x), Some(y)) = (table.number(row, xc)?, table.number(row, yc)?) else {
            continue;
        };
        if args.log_y && y <= 0.0 {
            return Err(table.error(
                &args.y,
                format!("{y} cannot be shown on a log scale (values must be > 0)"),
            ));
        }
        let facet = fc.map_or(String::new(), |c| table.text(row, c).to_string());
        let series = sc.map_or(String::new(), |c| table.text(row, c).to_string());
        groups
            .entry(facet)
            .or_default()
            .entry(series)
            .or_default()
            .entry((x + 0.0).to_bits())
            .or_insert((x, Vec::new()))
            .1
            .push(row);
    }
    let mut out: Panels = Vec::new();
    for (facet, lines) in groups {
        let mut drawn = Vec::new();
        for (name, at) in lines {
            let mut points = at
                .into_values()
                .map(|(x, rows)| spread.point(table, &rows, x, yc))
                .collect::<Result<Vec<_>, _>>()?;
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            drawn.push((name, points));
        }
        out.push((facet, drawn));
    }
    Ok(out)
}

/// Orders keys as values are ordered (numerically where they are numbers).
fn order<T>(v: Vec<(String, T)>) -> Vec<(String, T)> {
    let mut keys: Vec<String> = v.iter().map(|(k, _)| k.clone()).collect();
    sort_values(&mut keys);
    let mut v: Vec<Option<(String, T)>> = v.into_iter().map(Some).collect();
    keys.iter()
        .filter_map(|k| {
            v.iter_mut()
                .find(|e| e.as_ref().is_some_and(|(n, _)| n == k))
                .and_then(Option::take)
        })
        .collect()
}

/// The series column, defaulting to `protocol` where there is one.
fn series_column(table: &Table, args: &PlotArgs) -> Result<Option<usize>, InputError> {
    match &args.series {
        Some(s) => Ok(Some(table.column(s)?)),
        None => Ok(table.has("protocol")),
    }
}

/// The points `args` asks for, by facet and series value, in drawing order, after checking
/// that no dimension is hidden; with where their intervals come from and the series and facet
/// columns.
fn gather(
    table: &Table,
    args: &PlotArgs,
) -> Result<(Panels, Spread, Option<usize>, Option<usize>), InputError> {
    let (xc, yc) = (table.column(&args.x)?, table.column(&args.y)?);
    let sc = series_column(table, args)?;
    let fc = args.facet.as_deref().map(|f| table.column(f)).transpose()?;
    let shown: Vec<usize> = [Some(xc), sc, fc].into_iter().flatten().collect();
    check_nothing_hidden(table, &shown, true)?;
    let spread = Spread::of(table, &args.y, yc);
    let data: Panels = order(panels(table, args, &spread, (xc, yc, sc, fc))?)
        .into_iter()
        .map(|(f, lines)| (f, order(lines)))
        .collect();
    Ok((data, spread, sc, fc))
}

/// The points of the line plot `args` asks for (its `--where` filters applied), as drawn.
pub fn points(table: &Table, args: &PlotArgs) -> Result<Panels, InputError> {
    let table = table.clone().filter(&args.filters)?;
    Ok(gather(&table, args)?.0)
}

/// The SVG of the line plot `args` asks for.
pub fn render(table: &Table, args: &PlotArgs) -> Result<String, InputError> {
    let (data, spread, sc, fc) = gather(table, args)?;
    let curves: Panels = match &args.curve {
        None => Vec::new(),
        Some(c) => {
            let yc = table.column(c)?;
            let xc = table.column(&args.x)?;
            let plain = Spread::None;
            order(panels(table, args, &plain, (xc, yc, sc, fc))?)
                .into_iter()
                .map(|(f, lines)| (f, order(lines)))
                .collect()
        }
    };
    let all: Vec<&Point> = data
        .iter()
        .chain(&curves)
        .flat_map(|(_, l)| l.iter().flat_map(|(_, p)| p))
        .collect();
    if all.is_empty() {
        return Err(InputError::file(
            &table.file,
            "no row has numbers in both x and y",
        ));
    }
    let fold = |vs: &mut dyn Iterator<Item = f64>| {
        vs.fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(v), h.max(v)))
    };
    let (x0, x1) = fold(&mut all.iter().map(|p| p.x));
    let ys = all.iter().flat_map(|p| {
        let (l, h) = p.interval.unwrap_or((p.y, p.y));
        [p.y, l, h]
    });
    let (y0, y1) = if args.log_y {
        fold(&mut ys.filter(|v| *v > 0.0))
    } else {
        fold(&mut ys.into_iter())
    };
    let xs = Scale::linear(x0, x1);
    let xs = match xs {
        // Lines start and end at the data: no padding before the first x.
        Scale::Linear { .. } if x1 > x0 => Scale::Linear {
            lo: x0 - (x1 - x0) * 0.03,
            hi: x1 + (x1 - x0) * 0.03,
        },
        s => s,
    };
    let ys = if args.log_y {
        Scale::log(y0, y1)
    } else {
        Scale::linear(y0, y1)
    };

    // Series names over every panel, so a series has the same look in each.
    let mut names: Vec<String> = data
        .iter()
        .flat_map(|(_, l)| l.iter().map(|(n, _)| n.clone()))
        .collect();
    sort_values(&mut names);
    let series_col = sc.map(|c| table.header[c].clone());
    let entries: Vec<(String, Look)> = match &series_col {
        Some(col) => names
            .iter()
            .enumerate()
            .map(|(i, n)| (super::axes::value_label(col, n), legend::look(i)))
            .collect(),
        None => Vec::new(),
    };
    let labels: Vec<String> = entries.iter().map(|(l, _)| l.clone()).collect();
    let side = if entries.is_empty() {
        0.0
    } else {
        legend::width_px(&labels)
    };
    let has_bars = all.iter().any(|p| p.interval.is_some());
    let mut notes: Vec<String> = if has_bars {
        vec![spread.note().to_string()]
    } else {
        Vec::new()
    };
    if let Some(c) = &args.curve {
        notes.push(format!(
            "dotted lines: the mean of {c} (a model's prediction)"
        ));
    }
    let (xt, yt) = (xs.ticks(&[]), ys.ticks(&[]));
    let y_labels: Vec<String> = yt.iter().filter_map(|t| t.label.clone()).collect();
    let size = args.size_px(data.len(), side)?;
    let l: Layout = frame::layout(
        size,
        data.len(),
        side,
        frame::ticks_left(&y_labels),
        notes.len(),
    );
    let mut svg = Svg::new(l.width, l.height);
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{} vs {}", args.y, args.x));
    let y_label = args.ylabel.clone().unwrap_or_else(|| {
        if args.log_y {
            format!("{} (log scale)", args.y)
        } else {
            args.y.clone()
        }
    });
    let x_label = args.xlabel.clone().unwrap_or_else(|| args.x.clone());
    let facet_col = fc.map(|c| table.header[c].clone());
    let panel_titles: Vec<String> = data
        .iter()
        .map(|(f, _)| {
            facet_col
                .as_ref()
                .map_or(String::new(), |c| super::axes::value_label(c, f))
        })
        .collect();
    frame::draw_labels(&mut svg, &l, &title, &x_label, &y_label, &panel_titles);
    for (facet, lines) in &curves {
        let Some(k) = data.iter().position(|(f, _)| f == facet) else {
            continue;
        };
        for (name, points) in lines {
            let i = names.iter().position(|n| n == name).unwrap_or(0);
            let p = &l.panels[k];
            let clamp = |y: f64| y.clamp(p.y, p.bottom());
            let pts: Vec<(f64, f64)> = points
                .iter()
                .map(|q| (frame::px(p, &xs, q.x), clamp(frame::py(p, &ys, q.y))))
                .collect();
            svg.polyline(&pts, legend::look(i).colour, 1.5, Some("2 4"));
        }
    }
    for ((_, lines), p) in data.iter().zip(&l.panels) {
        frame::draw_axes(
            &mut svg,
            p,
            (&xs, &xt as &[Tick]),
            (&ys, &yt as &[Tick]),
            true,
        );
        for (name, points) in lines {
            let i = names.iter().position(|n| n == name).unwrap_or(0);
            draw_line(
                &mut svg,
                p,
                (&xs, &ys),
                points,
                legend::look(i),
                dodge(i, names.len()),
            );
        }
    }
    if !entries.is_empty() {
        legend::draw(&mut svg, &l.side, &entries);
    }
    frame::draw_notes(&mut svg, &l, 0, &notes);
    Ok(svg.finish())
}

/// Side-by-side offset of series `i`'s error bars, in pixels, so bars at one x do not hide
/// each other (the points and lines stay at their true x).
fn dodge(i: usize, count: usize) -> f64 {
    (i as f64 - (count as f64 - 1.0) / 2.0) * 3.0
}

fn draw_line(
    svg: &mut Svg,
    p: &frame::Rect,
    (xs, ys): (&Scale, &Scale),
    points: &[Point],
    look: Look,
    dx: f64,
) {
    let clamp = |y: f64| y.clamp(p.y, p.bottom());
    let pts: Vec<(f64, f64)> = points
        .iter()
        .map(|q| (frame::px(p, xs, q.x), clamp(frame::py(p, ys, q.y))))
        .collect();
    for q in points {
        if let Some((lo, hi)) = q.interval {
            let x = frame::px(p, xs, q.x) + dx;
            let lo_px = if lo > 0.0 || !matches!(ys, Scale::Log { .. }) {
                clamp(frame::py(p, ys, lo))
            } else {
                p.bottom()
            };
            let hi_px = clamp(frame::py(p, ys, hi));
            if (lo_px - hi_px).abs() < 1.0 {
                continue; // no spread to show (e.g. a count fixed by n and t)
            }
            svg.line((x, lo_px), (x, hi_px), look.colour, 1.5);
            svg.line((x - 4.0, lo_px), (x + 4.0, lo_px), look.colour, 1.5);
            svg.line((x - 4.0, hi_px), (x + 4.0, hi_px), look.colour, 1.5);
        }
    }
    svg.polyline(&pts, look.colour, 2.5, look.dash);
    for &q in &pts {
        svg.marker(look.shape, q, 5.0, look.colour);
    }
}
