//! `byzsim plot`: pictures from any CSV byzsim writes (a sweep's per-trial rows or summary, a
//! run's rows), written as SVG or PNG by the output's extension.
//!
//! - With `--z`: a heatmap ([`heatmap`]) over the distinct values of two columns, the colour of
//!   a cell being the mean of z there, with the proven bound drawn where the rows carry one.
//! - Without: lines ([`lines`]), one per `--series` value, the mean of y at each x, with error
//!   bars (Wilson intervals for rates, standard errors for means), optionally on a log scale.
//!
//! A plot never hides a dimension ([`dimensions`]): a column such as `network.loss` that
//! varies but is on no axis is either shown (`--facet`: one panel per value; `--series`) or
//! filtered (`--where COL=VALUE`), or `plot` refuses. Pages are laid out so that nothing covers
//! the data ([`frame`], [`legend`]); the SVG is written by hand ([`svg`]) so cells can carry a
//! hover `<title>`; PNG is rasterised in pure Rust ([`raster`]). Same CSV in, same bytes out.
//!
//! PDF is not offered. The pure-Rust path, `svg2pdf` (typst's, MIT/Apache), is kept up, but
//! its current release (0.13) is built on usvg 0.45 while `resvg` here is 0.49: adding it means
//! two copies of the SVG stack, or an older PNG renderer. Convert the SVG where a PDF is needed.

pub mod axes;
pub mod dimensions;
pub mod frame;
pub mod heatmap;
pub mod legend;
pub mod lines;
pub mod raster;
pub mod svg;
pub mod table;

use std::path::{Path, PathBuf};

pub use heatmap::{Cell, bound_edges};
pub use table::Table;

use crate::error::InputError;
use crate::output::write_atomically;

/// What `byzsim plot` draws.
#[derive(Debug, Clone, clap::Args)]
pub struct PlotArgs {
    /// The CSV file (with a header row).
    pub csv: PathBuf,
    /// The picture to write; its extension picks the format: .svg or .png (`-`: SVG on stdout).
    #[arg(short = 'o', long = "out", value_name = "FILE.svg|FILE.png")]
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
    /// One panel per value of this column, on shared axes and one colour scale.
    #[arg(long, value_name = "COL")]
    pub facet: Option<String>,
    /// Line plot: also draw the mean of this column at each x, per series, as a thin dashed
    /// line without markers (a model's prediction drawn over the measured points, e.g.
    /// `stale_rate_first_order` over `stale_rate`).
    #[arg(long, value_name = "COL")]
    pub curve: Option<String>,
    /// Logarithmic y axis (line plots).
    #[arg(long)]
    pub log_y: bool,
    /// Keep only rows where COL equals VALUE (repeatable).
    #[arg(long = "where", value_name = "COL=VALUE")]
    pub filters: Vec<String>,
    /// The title (default: from the columns).
    #[arg(long)]
    pub title: Option<String>,
    /// The x axis label (default: the x column).
    #[arg(long)]
    pub xlabel: Option<String>,
    /// The y axis label (default: the y column).
    #[arg(long)]
    pub ylabel: Option<String>,
    /// The picture's size in pixels, WIDTHxHEIGHT (default: fits the panels, 900x620 for one).
    #[arg(long, value_name = "WxH")]
    pub size: Option<String>,
}

impl PlotArgs {
    /// A plot of `y` against `x` from `csv` into `out`, every option at its default.
    pub fn new(csv: impl Into<PathBuf>, out: impl Into<PathBuf>, x: &str, y: &str) -> PlotArgs {
        PlotArgs {
            csv: csv.into(),
            out: out.into(),
            x: x.to_string(),
            y: y.to_string(),
            z: None,
            series: None,
            facet: None,
            curve: None,
            log_y: false,
            filters: Vec::new(),
            title: None,
            xlabel: None,
            ylabel: None,
            size: None,
        }
    }

    /// The page size: `--size`, or the default for `panels` panels and a side column.
    fn size_px(&self, panels: usize, side_px: f64) -> Result<(f64, f64), InputError> {
        let Some(text) = &self.size else {
            return Ok(frame::default_size(panels, side_px));
        };
        let bad = || {
            InputError::file(
                "--size",
                format!(
                    "`{text}` is not WIDTHxHEIGHT in pixels, each 200 to 10000 (e.g. 1200x800)"
                ),
            )
        };
        let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
        let (w, h) = (
            w.trim().parse::<u32>().map_err(|_| bad())?,
            h.trim().parse::<u32>().map_err(|_| bad())?,
        );
        if !(200..=10_000).contains(&w) || !(200..=10_000).contains(&h) {
            return Err(bad());
        }
        Ok((w as f64, h as f64))
    }
}

/// The formats `plot` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    /// The format `path`'s extension names: `.svg` or `.png`; no extension at all (`-` for
    /// stdout, `/dev/null`, a FIFO, a bare name) is SVG, the text format, as before PNG existed.
    /// Any other extension is an error, so one format is never written under another's name.
    pub fn of(path: &Path) -> Result<Format, InputError> {
        if path.as_os_str() == "-" {
            return Ok(Format::Svg);
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("svg") => Ok(Format::Svg),
            Some("png") => Ok(Format::Png),
            None => Ok(Format::Svg),
            Some(e) => Err(InputError::file(
                path.display().to_string(),
                format!(
                    "`.{e}` is not a format plot writes: it writes .svg or .png, and SVG \
                     when the name has no extension (PDF is not offered; convert the SVG)"
                ),
            )),
        }
    }
}

/// The SVG of the plot `args` asks for, from `table` (its `--where` filters applied here).
/// `args.csv` and `args.out` are not used: a page that embeds plots calls this directly.
pub fn render_svg(table: &Table, args: &PlotArgs) -> Result<String, InputError> {
    let table = table.clone().filter(&args.filters)?;
    match &args.z {
        Some(z) => heatmap::render(&table, args, z),
        None => lines::render(&table, args),
    }
}

/// Draws the plot `args` asks for into `args.out`.
pub fn plot(args: &PlotArgs) -> Result<(), InputError> {
    let format = Format::of(&args.out)?;
    let svg = render_svg(&Table::read(&args.csv)?, args)?;
    let bytes = match format {
        Format::Svg => svg.into_bytes(),
        Format::Png => raster::png(&svg, &args.out.display().to_string())?,
    };
    write_atomically(&args.out, |w| w.write_all(&bytes))
}
