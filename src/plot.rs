//! `byzsim plot`: SVG pictures from any CSV byzsim writes (a sweep's per-trial rows or summary,
//! a run's rows), with plotters and no C dependency.
//!
//! - With `--z`: a heatmap over two integer columns (`--x n --y t --z agreement`), the colour
//!   of a cell being the mean of z there (`true`/`false` count as 1/0, so a per-trial CSV gives
//!   rates). Where the rows carry a `bound` label (`inside`/`outside`), the edge between inside
//!   and outside cells is drawn as a thick line, labelled with the `bound_rule` (for oral
//!   messages over n × t: the staircase n = 3t + 1).
//! - Without: one line per value of `--series` (default `protocol`), the mean of y at each x,
//!   optionally on a log scale.
//!
//! `--where COL=VALUE` keeps only matching rows. Same CSV in, same bytes out.

use std::collections::BTreeMap;
use std::path::PathBuf;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use crate::error::InputError;
use crate::output::write_atomically;

/// What `byzsim plot` draws.
#[derive(Debug, Clone, clap::Args)]
pub struct PlotArgs {
    /// The CSV file (with a header row).
    pub csv: PathBuf,
    /// The SVG file to write.
    #[arg(short = 'o', long = "out", value_name = "FILE.svg")]
    pub out: PathBuf,
    /// Column for the x axis.
    #[arg(long)]
    pub x: String,
    /// Column for the y axis.
    #[arg(long)]
    pub y: String,
    /// Heatmap: colour each (x, y) cell by the mean of this column.
    #[arg(long)]
    pub z: Option<String>,
    /// Line plot: one line per value of this column (default: protocol, if present).
    #[arg(long)]
    pub series: Option<String>,
    /// Logarithmic y axis (line plots).
    #[arg(long)]
    pub log_y: bool,
    /// Keep only rows where COL equals VALUE (repeatable).
    #[arg(long = "where", value_name = "COL=VALUE")]
    pub filters: Vec<String>,
    /// The title (default: from the columns).
    #[arg(long)]
    pub title: Option<String>,
}

/// The CSV, filtered.
struct Table {
    file: String,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    fn read(args: &PlotArgs) -> Result<Table, InputError> {
        let file = args.csv.display().to_string();
        let mut reader = crate::input::open_csv(&args.csv)
            .map_err(|e| InputError::file(&file, format!("cannot read: {e}")))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| InputError::file(&file, format!("not a CSV file: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut table = Table {
            file,
            header,
            rows: Vec::new(),
        };
        let filters: Vec<(usize, String)> = args
            .filters
            .iter()
            .map(|f| {
                let (col, value) = f.split_once('=').ok_or_else(|| {
                    InputError::file("--where", format!("`{f}` is not COL=VALUE"))
                })?;
                Ok((table.column(col.trim())?, value.trim().to_string()))
            })
            .collect::<Result<_, InputError>>()?;
        for (i, row) in reader.records().enumerate() {
            let row =
                row.map_err(|e| InputError::file(&table.file, format!("row {}: {e}", i + 2)))?;
            if filters.iter().all(|(c, v)| row.get(*c) == Some(v.as_str())) {
                table.rows.push(row);
            }
        }
        if table.rows.is_empty() {
            return Err(InputError::file(
                &table.file,
                "no rows to plot (after --where)",
            ));
        }
        Ok(table)
    }

    fn column(&self, name: &str) -> Result<usize, InputError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| InputError {
                file: self.file.clone(),
                line: None,
                col: None,
                key: Some(name.to_string()),
                message: format!(
                    "no such column; the columns are: {}",
                    self.header.join(", ")
                ),
            })
    }

    /// The number in column `c` of `row`: `true`/`false` count as 1/0; empty is `None`; NaN or an
    /// infinity is an error.
    fn number(&self, row: &csv::StringRecord, c: usize) -> Result<Option<f64>, InputError> {
        let text = row.get(c).unwrap_or("").trim();
        match text {
            "" => Ok(None),
            "true" => Ok(Some(1.0)),
            "false" => Ok(Some(0.0)),
            // NaN and infinities cannot be placed on an axis or a colour scale: refused.
            _ => text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| InputError {
                    file: self.file.clone(),
                    line: None,
                    col: None,
                    key: Some(self.header[c].clone()),
                    message: format!("`{text}` is not a finite number"),
                }),
        }
    }

    fn distinct(&self, c: usize) -> Vec<String> {
        let mut v: Vec<String> = self
            .rows
            .iter()
            .map(|r| r.get(c).unwrap_or("").to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Draws the plot `args` asks for.
pub fn plot(args: &PlotArgs) -> Result<(), InputError> {
    let table = Table::read(args)?;
    let svg = match &args.z {
        Some(z) => heatmap(&table, args, z)?,
        None => lines(&table, args)?,
    };
    write_atomically(&args.out, |w| w.write_all(svg.as_bytes()))
}

fn draw_error(e: impl std::fmt::Display) -> InputError {
    InputError::file("plot", format!("cannot draw: {e}"))
}

/// One heatmap cell: integer coordinates, mean value, and its bound label.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub x: i64,
    pub y: i64,
    pub value: f64,
    pub inside: Option<bool>,
}

fn integer(table: &Table, row: &csv::StringRecord, c: usize) -> Result<Option<i64>, InputError> {
    match table.number(row, c)? {
        Some(v) if v.fract() == 0.0 => Ok(Some(v as i64)),
        Some(v) => Err(InputError {
            file: table.file.clone(),
            line: None,
            col: None,
            key: Some(table.header[c].clone()),
            message: format!("{v} is not a whole number: a heatmap needs integer x and y"),
        }),
        None => Ok(None),
    }
}

fn cells(table: &Table, x: usize, y: usize, z: usize) -> Result<Vec<Cell>, InputError> {
    let bound = table.header.iter().position(|h| h == "bound");
    // Per cell: sum and count of z, and the bound side (`None` once rows disagree).
    type Tally = (f64, usize, Option<Option<bool>>);
    let mut sums: BTreeMap<(i64, i64), Tally> = BTreeMap::new();
    for row in &table.rows {
        let (Some(xv), Some(yv), Some(zv)) = (
            integer(table, row, x)?,
            integer(table, row, y)?,
            table.number(row, z)?,
        ) else {
            continue;
        };
        let label = bound.and_then(|b| match row.get(b) {
            Some("inside") => Some(true),
            Some("outside") => Some(false),
            _ => None,
        });
        let e = sums.entry((xv, yv)).or_insert((0.0, 0, None));
        e.0 += zv;
        e.1 += 1;
        e.2 = match e.2 {
            None => Some(label),
            Some(seen) if seen == label => Some(seen),
            Some(_) => Some(None),
        };
    }
    Ok(sums
        .into_iter()
        .map(|((x, y), (s, k, inside))| Cell {
            x,
            y,
            value: s / k as f64,
            inside: inside.flatten(),
        })
        .collect())
}

/// Edges between an inside and an outside cell, as segments in data coordinates.
pub fn bound_edges(cells: &[Cell]) -> Vec<((f64, f64), (f64, f64))> {
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

fn colour(v: f64, lo: f64, hi: f64) -> RGBColor {
    let f = if hi > lo {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    ViridisRGB::get_color(f)
}

fn heatmap(table: &Table, args: &PlotArgs, z: &str) -> Result<String, InputError> {
    let (xc, yc, zc) = (
        table.column(&args.x)?,
        table.column(&args.y)?,
        table.column(z)?,
    );
    if let Ok(p) = table.column("protocol") {
        let protocols = table.distinct(p);
        if protocols.len() > 1 {
            return Err(InputError::file(
                &table.file,
                format!(
                    "the rows hold several protocols ({}): pick one with --where protocol=NAME",
                    protocols.join(", ")
                ),
            ));
        }
    }
    let cells = cells(table, xc, yc, zc)?;
    if cells.is_empty() {
        return Err(InputError::file(
            &table.file,
            "no row has numbers in all of x, y and z",
        ));
    }
    // Cells sit on a grid of the distinct values, so stepped ranges (n = 4, 7, 10) leave no gaps
    // and neighbours in the grid are neighbours for the bound line.
    let distinct = |f: fn(&Cell) -> i64| -> Vec<i64> {
        let mut v: Vec<i64> = cells.iter().map(f).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (xs, ys) = (distinct(|c| c.x), distinct(|c| c.y));
    let at = |values: &[i64], v: i64| values.binary_search(&v).unwrap_or(0) as i64;
    let cells: Vec<Cell> = cells
        .iter()
        .map(|c| Cell {
            x: at(&xs, c.x),
            y: at(&ys, c.y),
            ..c.clone()
        })
        .collect();
    let tick = |values: &[i64], v: f64| -> String {
        let i = v.round();
        match values.get(i as usize) {
            Some(value) if (v - i).abs() < 1e-6 && i >= 0.0 => value.to_string(),
            _ => String::new(),
        }
    };
    let (x0, x1) = (
        cells.iter().map(|c| c.x).min().unwrap_or(0),
        cells.iter().map(|c| c.x).max().unwrap_or(0),
    );
    let (y0, y1) = (
        cells.iter().map(|c| c.y).min().unwrap_or(0),
        cells.iter().map(|c| c.y).max().unwrap_or(0),
    );
    let (mut lo, mut hi) = cells.iter().fold((f64::MAX, f64::MIN), |(l, h), c| {
        (l.min(c.value), h.max(c.value))
    });
    if lo >= 0.0 && hi <= 1.0 {
        (lo, hi) = (0.0, 1.0);
    }
    let rule = table.column("bound_rule").ok().and_then(|c| {
        table
            .rows
            .iter()
            .filter_map(|r| r.get(c))
            .find(|s| !s.is_empty())
            .map(str::to_string)
    });
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{z} over {} × {}", args.x, args.y));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 640)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let (main, bar) = root.split_horizontally(780);
        let mut chart = ChartBuilder::on(&main)
            .caption(&title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(50)
            .build_cartesian_2d(
                (x0 as f64 - 0.5)..(x1 as f64 + 0.5),
                (y0 as f64 - 0.5)..(y1 as f64 + 0.5),
            )
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&args.x)
            .y_desc(&args.y)
            .x_labels((x1 - x0 + 1).min(20) as usize)
            .y_labels((y1 - y0 + 1).min(20) as usize)
            .x_label_formatter(&|v| tick(&xs, *v))
            .y_label_formatter(&|v| tick(&ys, *v))
            .draw()
            .map_err(draw_error)?;
        chart
            .draw_series(cells.iter().map(|c| {
                let (x, y) = (c.x as f64, c.y as f64);
                Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    colour(c.value, lo, hi).filled(),
                )
            }))
            .map_err(draw_error)?;
        let small = (x1 - x0 + 1) <= 20 && (y1 - y0 + 1) <= 20;
        if small {
            chart
                .draw_series(cells.iter().map(|c| {
                    let ink = if (c.value - lo) / (hi - lo).max(1e-12) > 0.6 {
                        BLACK
                    } else {
                        WHITE
                    };
                    Text::new(
                        format!("{:.2}", c.value),
                        (c.x as f64 - 0.3, c.y as f64 + 0.1),
                        ("sans-serif", 12).into_font().color(&ink),
                    )
                }))
                .map_err(draw_error)?;
        }
        let edges = bound_edges(&cells);
        if !edges.is_empty() {
            let label = match &rule {
                Some(r) => format!("proven bound (inside: {r})"),
                None => "proven bound".to_string(),
            };
            chart
                .draw_series(
                    edges
                        .iter()
                        .map(|&(a, b)| PathElement::new(vec![a, b], RED.stroke_width(4))),
                )
                .map_err(draw_error)?
                .label(label)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(4)));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .draw()
                .map_err(draw_error)?;
        }
        colour_bar(&bar, z, lo, hi)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    z: &str,
    lo: f64,
    hi: f64,
) -> Result<(), InputError>
where
    DB::ErrorType: 'static,
{
    let mut bar = ChartBuilder::on(area)
        .margin_top(60)
        .margin_bottom(60)
        .margin_right(10)
        .y_label_area_size(46)
        .build_cartesian_2d(0.0..1.0, lo..hi.max(lo + 1e-9))
        .map_err(draw_error)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(z)
        .y_labels(6)
        .draw()
        .map_err(draw_error)?;
    let steps = 64;
    bar.draw_series((0..steps).map(|i| {
        let a = lo + (hi - lo) * i as f64 / steps as f64;
        let b = lo + (hi - lo) * (i + 1) as f64 / steps as f64;
        Rectangle::new([(0.0, a), (1.0, b)], colour((a + b) / 2.0, lo, hi).filled())
    }))
    .map_err(draw_error)?;
    Ok(())
}

/// A tick label: whole numbers without decimals, large ones in scientific notation.
fn number_label(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{v:.0e}")
    } else if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A fixed palette, so the same series gets the same colour every time.
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

type Series = Vec<(String, Vec<(f64, f64)>)>;

fn series(table: &Table, args: &PlotArgs) -> Result<Series, InputError> {
    let (xc, yc) = (table.column(&args.x)?, table.column(&args.y)?);
    let sc = match &args.series {
        Some(s) => Some(table.column(s)?),
        None => table.column("protocol").ok(),
    };
    let mut groups: BTreeMap<String, BTreeMap<i64, (f64, f64, usize)>> = BTreeMap::new();
    for row in &table.rows {
        let (Some(x), Some(y)) = (table.number(row, xc)?, table.number(row, yc)?) else {
            continue;
        };
        if args.log_y && y <= 0.0 {
            return Err(InputError {
                file: table.file.clone(),
                line: None,
                col: None,
                key: Some(args.y.clone()),
                message: format!("{y} cannot be shown on a log scale (values must be > 0)"),
            });
        }
        let name = sc.map_or(String::new(), |c| row.get(c).unwrap_or("").to_string());
        // Group equal x exactly: key on the bit pattern of the (finite) value, sorted numerically later.
        let e = groups
            .entry(name)
            .or_default()
            .entry(x.to_bits() as i64)
            .or_insert((x, 0.0, 0));
        e.1 += y;
        e.2 += 1;
    }
    Ok(groups
        .into_iter()
        .map(|(name, points)| {
            let mut pts: Vec<(f64, f64)> = points
                .into_values()
                .map(|(x, s, k)| (x, s / k as f64))
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            (name, pts)
        })
        .collect())
}

fn lines(table: &Table, args: &PlotArgs) -> Result<String, InputError> {
    let data = series(table, args)?;
    let all: Vec<(f64, f64)> = data.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    if all.is_empty() {
        return Err(InputError::file(
            &table.file,
            "no row has numbers in both x and y",
        ));
    }
    let (x0, x1) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), p| (l.min(p.0), h.max(p.0)));
    let (y0, y1) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), p| (l.min(p.1), h.max(p.1)));
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{} vs {}", args.y, args.x));
    let xr = x0..(if x1 > x0 { x1 } else { x0 + 1.0 });
    if args.log_y {
        draw_lines(
            &data,
            args,
            &title,
            xr,
            ((y0 / 1.5)..(y1 * 1.5)).log_scale(),
        )
    } else {
        let pad = ((y1 - y0) * 0.05).max(1e-9);
        draw_lines(
            &data,
            args,
            &title,
            xr,
            (y0 - pad).min(0.0f64.max(y0 - pad))..(y1 + pad),
        )
    }
}

fn draw_lines<Y>(
    data: &Series,
    args: &PlotArgs,
    title: &str,
    xr: std::ops::Range<f64>,
    yr: Y,
) -> Result<String, InputError>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(xr, yr)
            .map_err(draw_error)?;
        let y_desc = if args.log_y {
            format!("{} (log scale)", args.y)
        } else {
            args.y.clone()
        };
        chart
            .configure_mesh()
            .x_desc(&args.x)
            .y_desc(y_desc)
            .x_label_formatter(&|v| number_label(*v))
            .y_label_formatter(&|v| number_label(*v))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_error)?;
        for (i, (name, points)) in data.iter().enumerate() {
            let c = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(2)))
                .map_err(draw_error)?
                .label(if name.is_empty() {
                    args.y.clone()
                } else {
                    name.clone()
                })
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                });
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))
                .map_err(draw_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}
