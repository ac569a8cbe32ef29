//! `byzsim plot`: heatmaps with the proven bound drawn where the data carries one, line plots
//! with a legend, identical bytes for identical input, and clear refusals.

use std::path::{Path, PathBuf};

use byzsim::plot::{Cell, PlotArgs, bound_edges, plot};

/// Oral messages over n = 3..=7, t = 0..=2, inside the bound iff n > 3t.
fn csv(dir: &Path) -> PathBuf {
    let mut text = String::from("scenario,protocol,n,t,agreement,bound,bound_rule,messages\n");
    for n in 3..=7 {
        for t in 0..=2 {
            if t >= n {
                continue;
            }
            let inside = n > 3 * t;
            for trial in 0..4 {
                let agree = inside || trial % 2 == 0;
                let bound = if inside { "inside" } else { "outside" };
                text.push_str(&format!(
                    "s,oral,{n},{t},{agree},{bound},n > 3t,{}\n",
                    n * n * (t + 1)
                ));
                text.push_str(&format!(
                    "s,signed,{n},{t},true,inside,n >= m + 2,{}\n",
                    (n - 1) * (n - 1)
                ));
            }
        }
    }
    let path = dir.join("data.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// The text elements of an SVG, trimmed and unescaped enough for `>` and `&`.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(
                t[start..end]
                    .trim()
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

fn args(csv: &Path, out: &Path) -> PlotArgs {
    PlotArgs {
        z: Some("agreement".into()),
        filters: vec!["protocol=oral".into()],
        ..PlotArgs::new(csv, out, "n", "t")
    }
}

#[test]
fn a_heatmap_draws_the_bound_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let data = csv(dir.path());
    let out = dir.path().join("heat.svg");
    plot(&args(&data, &out)).unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    let texts = texts(&svg);
    assert!(
        texts.contains(&"proven bound (inside: n > 3t)".to_string()),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"n".to_string()) && texts.contains(&"t".to_string()),
        "axis labels"
    );
    assert!(
        texts.contains(&"0.50".to_string()),
        "cell values are written in small grids"
    );
    let again = dir.path().join("again.svg");
    plot(&args(&data, &again)).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn the_bound_edges_follow_the_staircase_n_eq_3t_plus_1() {
    let mut cells = Vec::new();
    for x in 3..=7i64 {
        for y in 0..=2i64 {
            cells.push(Cell {
                x,
                y,
                value: 1.0,
                inside: Some(x > 3 * y),
            });
        }
    }
    let mut edges = bound_edges(&cells);
    edges.sort_by(|a, b| a.partial_cmp(b).unwrap());
    // Horizontal edges under the outside cells (3,1); (4..=6, 2) and (3,2) sits above (3,1),
    // both outside; vertical edges left of the first inside cell of rows 1 and 2.
    let expected = vec![
        ((2.5, 0.5), (3.5, 0.5)), // (3,0) inside | (3,1) outside
        ((3.5, 0.5), (3.5, 1.5)), // (3,1) outside | (4,1) inside
        ((3.5, 1.5), (4.5, 1.5)), // (4,1) inside | (4,2) outside
        ((4.5, 1.5), (5.5, 1.5)), // (5,1) | (5,2)
        ((5.5, 1.5), (6.5, 1.5)), // (6,1) | (6,2)
        ((6.5, 1.5), (6.5, 2.5)), // (6,2) outside | (7,2) inside
    ];
    assert_eq!(edges, expected);
}

#[test]
fn a_line_plot_has_one_series_per_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let data = csv(dir.path());
    let out = dir.path().join("lines.svg");
    let mut a = args(&data, &out);
    a.y = "messages".into();
    a.z = None;
    a.log_y = true;
    a.filters = vec!["t=1".into()];
    plot(&a).unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    let texts = texts(&svg);
    assert!(
        texts.contains(&"protocol = oral".to_string())
            && texts.contains(&"protocol = signed".to_string()),
        "the legend says what each series is: {texts:?}"
    );
    assert!(texts.contains(&"messages (log scale)".to_string()));
}

#[test]
fn bad_requests_name_the_column_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = csv(dir.path());
    let out = dir.path().join("x.svg");
    let mut a = args(&data, &out);
    a.z = Some("nope".into());
    let e = plot(&a).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("nope"));
    assert!(e.message.contains("agreement"), "lists the columns: {e}");
    let mut a = args(&data, &out);
    a.filters.clear();
    assert!(plot(&a).unwrap_err().message.contains("--where protocol="));
    let mut a = args(&data, &out);
    a.x = "scenario".into();
    let e = plot(&a).unwrap_err();
    assert_eq!(
        e.key.as_deref(),
        Some("n"),
        "n varies but is on no axis: {e}"
    );
    let mut a = args(&data, &out);
    a.filters = vec!["protocol=none".into()];
    assert!(plot(&a).unwrap_err().message.contains("no rows"));
    let mut a = args(&dir.path().join("missing.csv"), &out);
    a.filters.clear();
    assert!(plot(&a).unwrap_err().file.contains("missing.csv"));
    assert!(!out.exists(), "nothing written on error");
}

/// A sweep with a stepped range (n = 4, 7, 10) draws adjacent cells and still finds the bound;
/// a cell whose rows disagree about the bound draws no edge.
#[test]
fn stepped_ranges_sit_on_a_grid_and_mixed_cells_have_no_side() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("protocol,n,t,agreement,bound,bound_rule\n");
    for n in [4, 7, 10] {
        for t in 0..=2 {
            let bound = if n > 3 * t { "inside" } else { "outside" };
            text.push_str(&format!("oral,{n},{t},true,{bound},n > 3t\n"));
        }
    }
    text.push_str("oral,10,2,true,outside,n > 3t\n");
    let data = dir.path().join("stepped.csv");
    std::fs::write(&data, text).unwrap();
    let out = dir.path().join("stepped.svg");
    let mut a = args(&data, &out);
    a.filters.clear();
    plot(&a).unwrap();
    let texts = texts(&std::fs::read_to_string(&out).unwrap());
    for tick in ["4", "7", "10"] {
        assert!(texts.contains(&tick.to_string()), "tick {tick}: {texts:?}");
    }
    assert!(texts.contains(&"proven bound (inside: n > 3t)".to_string()));
}

// ---- issue 14: no hidden dimension, uncertainty, readability, formats ----

/// The opening tags `<name ...>` of an SVG.
fn tags<'s>(svg: &'s str, name: &str) -> Vec<&'s str> {
    let open = format!("<{name} ");
    svg.match_indices(&open)
        .map(|(i, _)| {
            let end = svg[i..].find('>').unwrap();
            &svg[i..i + end]
        })
        .collect()
}

/// A numeric attribute of a tag.
fn attr(tag: &str, name: &str) -> Option<f64> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    tag[start..start + end].parse().ok()
}

/// A text attribute of a tag.
fn attr_text<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

/// The `<title>` texts of the SVG (the hover texts of heatmap cells).
fn titles(svg: &str) -> Vec<String> {
    svg.split("<title>")
        .skip(1)
        .map(|t| t[..t.find("</title>").unwrap()].replace("&gt;", ">"))
        .collect()
}

/// The data areas: the outlined rectangles (`fill="none"` with a stroke) other than the
/// colour bar (18 px wide).
fn panels(svg: &str) -> Vec<(f64, f64, f64, f64)> {
    tags(svg, "rect")
        .into_iter()
        .filter(|t| attr_text(t, "fill") == Some("none"))
        .map(|t| {
            (
                attr(t, "x").unwrap(),
                attr(t, "y").unwrap(),
                attr(t, "width").unwrap(),
                attr(t, "height").unwrap(),
            )
        })
        .filter(|r| r.2 != 18.0)
        .collect()
}

/// A sweep summary over n × t × network.loss, with Wilson intervals and standard errors as
/// byzsim writes them: agreement fails only outside n > 3t, more often with more loss.
fn summary(dir: &Path) -> PathBuf {
    let mut text = String::from(
        "scenario,protocol,n,t,network.loss,trials,agreement_rate,agreement_lo,agreement_hi,mean_messages,se_messages,bound,bound_rule\n",
    );
    for loss in ["0", "0.1"] {
        for n in 4..=7u64 {
            for t in 0..=2u64 {
                let trials = 40;
                let inside = n > 3 * t;
                let k = if inside {
                    trials
                } else if loss == "0" {
                    20
                } else {
                    10
                };
                let (lo, hi) = byzsim::stats::wilson(k, trials);
                let bound = if inside { "inside" } else { "outside" };
                let mean = (n * n * (t + 1)) as f64;
                text.push_str(&format!(
                    "s,oral,{n},{t},{loss},{trials},{:.6},{lo:.6},{hi:.6},{mean:.6},{:.6},{bound},n > 3t\n",
                    k as f64 / trials as f64,
                    mean / 10.0
                ));
            }
        }
    }
    let path = dir.join("summary.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn svg_of(a: &PlotArgs) -> String {
    byzsim::plot::render_svg(&byzsim::plot::Table::read(&a.csv).unwrap(), a).unwrap()
}

fn byzsim(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Issue 14, item 1: three loss values were averaged into one colour. Now a column that varies
/// but is on no axis is refused, by name and values, with the way out; exit 2, nothing written.
#[test]
fn a_varying_column_on_no_axis_is_refused_with_its_values_and_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    summary(dir.path());
    let heat = [
        "plot",
        "summary.csv",
        "-o",
        "h.svg",
        "--x",
        "n",
        "--y",
        "t",
        "--z",
        "agreement_rate",
    ];
    let out = byzsim(dir.path(), &heat);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for needle in [
        "network.loss (0, 0.1)",
        "--where network.loss=0",
        "--facet network.loss",
    ] {
        assert!(err.contains(needle), "`{needle}` in: {err}");
    }
    assert!(!dir.path().join("h.svg").exists());
    let lines = [
        "plot",
        "summary.csv",
        "-o",
        "l.svg",
        "--x",
        "n",
        "--y",
        "agreement_rate",
    ];
    let out = byzsim(dir.path(), &lines);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for needle in ["network.loss (0, 0.1)", "t (0, 1, 2)", "--series t"] {
        assert!(err.contains(needle), "`{needle}` in: {err}");
    }
    // Shown on an axis, as series, as panels or filtered away, the same data is accepted.
    let mut ok = heat.to_vec();
    ok.extend(["--where", "network.loss=0.1"]);
    assert_eq!(byzsim(dir.path(), &ok).status.code(), Some(0));
    let mut ok = lines.to_vec();
    ok.extend(["--series", "t", "--facet", "network.loss"]);
    assert_eq!(byzsim(dir.path(), &ok).status.code(), Some(0));
}

/// `--facet`: one panel per value, titled `column = value`, side by side, on one colour
/// scale: equal values have equal colours in every panel, and one colour bar serves all.
#[test]
fn facets_draw_one_panel_per_value_on_one_colour_scale() {
    let dir = tempfile::tempdir().unwrap();
    let data = summary(dir.path());
    let a = PlotArgs {
        z: Some("agreement_rate".into()),
        facet: Some("network.loss".into()),
        ..PlotArgs::new(&data, dir.path().join("f.svg"), "n", "t")
    };
    let svg = svg_of(&a);
    let texts = texts(&svg);
    assert!(texts.contains(&"network.loss = 0".to_string()), "{texts:?}");
    assert!(
        texts.contains(&"network.loss = 0.1".to_string()),
        "{texts:?}"
    );
    let p = panels(&svg);
    assert_eq!(p.len(), 2, "two panels: {p:?}");
    assert!(
        p[0].0 + p[0].2 < p[1].0,
        "side by side, not overlapping: {p:?}"
    );
    // Cells: 4 n × 3 t per panel, each with a hover title; colour by value, across panels.
    let cells: Vec<&str> = tags(&svg, "rect")
        .into_iter()
        .filter(|t| svg.contains(&format!("{t}><title>")))
        .collect();
    assert_eq!(cells.len(), 24);
    let mut colour_of: std::collections::BTreeMap<String, String> = Default::default();
    for (cell, title) in cells.iter().zip(titles(&svg)) {
        let value = title.split(" = ").nth(3).unwrap()[..5].to_string();
        let fill = attr_text(cell, "fill").unwrap().to_string();
        let seen = colour_of.entry(value.clone()).or_insert(fill.clone());
        assert_eq!(*seen, fill, "value {value} has one colour");
    }
    assert_eq!(colour_of.len(), 3, "1.0, 0.5 and 0.25: {colour_of:?}");
    assert_eq!(
        tags(&svg, "rect")
            .iter()
            .filter(|t| attr(t, "width") == Some(18.0))
            .count(),
        65,
        "one colour bar of 64 steps and its outline"
    );
}

/// Heatmap axes may be decimals or words: the cells sit on the distinct values, in order.
#[test]
fn heatmaps_take_decimal_and_word_axes_one_band_per_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("protocol,network.loss,faults.behaviour,agreement\n");
    for loss in ["0.25", "0.05", "0.1"] {
        for b in ["drop", "crash"] {
            text.push_str(&format!("vote,{loss},{b},true\nvote,{loss},{b},false\n"));
        }
    }
    let data = dir.path().join("d.csv");
    std::fs::write(&data, text).unwrap();
    let a = PlotArgs {
        z: Some("agreement".into()),
        ..PlotArgs::new(
            &data,
            dir.path().join("d.svg"),
            "network.loss",
            "faults.behaviour",
        )
    };
    let svg = svg_of(&a);
    let texts = texts(&svg);
    let pos = |s: &str| {
        texts
            .iter()
            .position(|t| t == s)
            .unwrap_or_else(|| panic!("{s}: {texts:?}"))
    };
    assert!(
        pos("0.05") < pos("0.1") && pos("0.1") < pos("0.25"),
        "numeric order"
    );
    assert!(pos("crash") < pos("drop"));
    let titles = titles(&svg);
    assert_eq!(titles.len(), 6, "one cell per (loss, behaviour)");
    assert!(
        titles
            .iter()
            .all(|t| t.contains("= 0.500") && t.contains("; 2 trials")),
        "{titles:?}"
    );
}

/// Heatmap cells say on hover how many trials they stand on and, for rates, their interval.
#[test]
fn heatmap_cells_carry_their_trials_and_interval_on_hover() {
    let dir = tempfile::tempdir().unwrap();
    let data = summary(dir.path());
    let a = PlotArgs {
        z: Some("agreement_rate".into()),
        filters: vec!["network.loss=0".into()],
        ..PlotArgs::new(&data, dir.path().join("h.svg"), "n", "t")
    };
    let titles = titles(&svg_of(&a));
    assert_eq!(titles.len(), 12);
    let (lo, hi) = byzsim::stats::wilson(20, 40);
    let expected = format!(
        "n = 4, t = 2: agreement_rate = 0.500 (95% Wilson interval {lo:.3} to {hi:.3}); 40 trials"
    );
    assert!(titles.contains(&expected), "{expected} in {titles:?}");
}

/// Line plots of a rate draw the summary's 95% Wilson interval as error bars, and a per-trial
/// CSV of the same trials gives the same points and intervals (computed from the counts).
#[test]
fn rate_lines_carry_the_wilson_interval_from_the_summary_or_the_trials() {
    let dir = tempfile::tempdir().unwrap();
    let data = summary(dir.path());
    let mut a = PlotArgs {
        series: Some("t".into()),
        filters: vec!["network.loss=0".into()],
        ..PlotArgs::new(&data, dir.path().join("l.svg"), "n", "agreement_rate")
    };
    let table = byzsim::plot::Table::read(&data).unwrap();
    let from_summary = byzsim::plot::lines::points(&table, &a).unwrap();
    // The same trials, one row each.
    let mut text = String::from("protocol,n,t,agreement\n");
    for n in 4..=7u64 {
        for t in 0..=2u64 {
            let k = if n > 3 * t { 40 } else { 20 };
            for i in 0..40 {
                text.push_str(&format!("oral,{n},{t},{}\n", i < k));
            }
        }
    }
    let trials = dir.path().join("trials.csv");
    std::fs::write(&trials, text).unwrap();
    a.y = "agreement".into();
    a.filters.clear();
    let from_trials =
        byzsim::plot::lines::points(&byzsim::plot::Table::read(&trials).unwrap(), &a).unwrap();
    let flat = |p: &byzsim::plot::lines::Panels| -> Vec<(f64, f64, f64, f64)> {
        p.iter()
            .flat_map(|(_, l)| l.iter().flat_map(|(_, pts)| pts.iter()))
            .map(|q| {
                let (lo, hi) = q.interval.expect("every point has an interval");
                (q.x, q.y, lo, hi)
            })
            .collect()
    };
    let (s, t) = (flat(&from_summary), flat(&from_trials));
    assert_eq!(s.len(), 12);
    for (a, b) in s.iter().zip(&t) {
        assert!(
            (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-6,
            "{a:?} {b:?}"
        );
        assert!(
            (a.2 - b.2).abs() < 1e-6 && (a.3 - b.3).abs() < 1e-6,
            "{a:?} {b:?}"
        );
        assert!(a.2 <= a.1 && a.1 <= a.3, "the interval holds the rate");
    }
    // Drawn: a vertical bar with two caps per point, and a note saying what they are.
    a.y = "agreement_rate".into();
    a.filters = vec!["network.loss=0".into()];
    let svg = svg_of(&a);
    let bars = tags(&svg, "polyline")
        .into_iter()
        .filter(|t| {
            let pts: Vec<&str> = attr_text(t, "points").unwrap().split(' ').collect();
            pts.len() == 2
                && pts[0].split(',').next() == pts[1].split(',').next()
                && attr(t, "stroke-width") == Some(1.5)
        })
        .count();
    assert_eq!(bars, 12, "one vertical error bar per point");
    assert!(
        texts(&svg)
            .iter()
            .any(|t| t.contains("95% Wilson score interval"))
    );
}

/// A mean from a summary gets ± one standard error from its `se_` column.
#[test]
fn mean_lines_carry_the_summarys_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = summary(dir.path());
    let a = PlotArgs {
        series: Some("t".into()),
        filters: vec!["network.loss=0".into()],
        ..PlotArgs::new(&data, dir.path().join("m.svg"), "n", "mean_messages")
    };
    let p = byzsim::plot::lines::points(&byzsim::plot::Table::read(&data).unwrap(), &a).unwrap();
    for (_, lines) in &p {
        for (_, pts) in lines {
            for q in pts {
                let (lo, hi) = q.interval.unwrap();
                assert!(
                    (hi - q.y - q.y / 10.0).abs() < 1e-6 && (q.y - lo - q.y / 10.0).abs() < 1e-6
                );
            }
        }
    }
    assert!(
        texts(&svg_of(&a))
            .iter()
            .any(|t| t.contains("standard error"))
    );
}

/// Readable by default: every text at least 12 px; the legend and the colour bar right of
/// every data area, never over it; the colour bar labelled with z; each series its own colour,
/// marker and dash (greyscale), from Okabe–Ito's palette.
#[test]
fn text_is_large_and_legends_stay_out_of_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = summary(dir.path());
    let heat = PlotArgs {
        z: Some("agreement_rate".into()),
        filters: vec!["network.loss=0".into()],
        ..PlotArgs::new(&data, dir.path().join("h.svg"), "n", "t")
    };
    let lines = PlotArgs {
        series: Some("t".into()),
        facet: Some("network.loss".into()),
        ..PlotArgs::new(&data, dir.path().join("l.svg"), "n", "agreement_rate")
    };
    for a in [&heat, &lines] {
        let svg = svg_of(a);
        let sizes: Vec<f64> = tags(&svg, "text")
            .iter()
            .map(|t| attr(t, "font-size").unwrap())
            .collect();
        assert!(sizes.iter().all(|s| *s >= 12.0), "{sizes:?}");
        let right = panels(&svg).iter().map(|p| p.0 + p.2).fold(0.0, f64::max);
        // Everything after the last panel's content that is a legend or a colour bar: the
        // white-filled legend box, the 18-px bar.
        for t in tags(&svg, "rect") {
            let legendish =
                attr_text(t, "stroke") == Some("#888888") || attr(t, "width") == Some(18.0);
            if legendish {
                assert!(attr(t, "x").unwrap() > right, "{t} is right of {right}");
            }
        }
    }
    let svg = svg_of(&heat);
    // The bound's legend is under the panel (below its x tick labels), not on the cells.
    let bottom = panels(&svg).iter().map(|p| p.1 + p.3).fold(0.0, f64::max);
    let (tag, _) = tags(&svg, "text")
        .into_iter()
        .zip(texts(&svg))
        .find(|(_, s)| s.starts_with("proven bound"))
        .expect("the bound has a legend");
    assert!(
        attr(tag, "y").unwrap() > bottom + 24.0,
        "{tag} below {bottom}"
    );
    let bar_label = tags(&svg, "text")
        .into_iter()
        .zip(texts(&svg))
        .find(|(_, s)| s == "agreement_rate")
        .expect("the colour bar is labelled");
    assert!(bar_label.0.contains("rotate(-90"));
    let svg = svg_of(&lines);
    let series: Vec<&str> = tags(&svg, "polyline")
        .into_iter()
        .filter(|t| attr(t, "stroke-width") == Some(2.5))
        .collect();
    let mut looks: Vec<(String, String)> = series
        .iter()
        .map(|t| {
            (
                attr_text(t, "stroke").unwrap().to_string(),
                attr_text(t, "stroke-dasharray")
                    .unwrap_or("solid")
                    .to_string(),
            )
        })
        .collect();
    looks.sort();
    looks.dedup();
    assert_eq!(
        looks.len(),
        3,
        "three series t = 0, 1, 2, in two panels and the legend: {looks:?}"
    );
    let dashes: std::collections::BTreeSet<&String> = looks.iter().map(|l| &l.1).collect();
    assert_eq!(dashes.len(), 3, "each its own dash");
    for (colour, _) in &looks {
        assert!(
            byzsim::plot::legend::OKABE_ITO.contains(&colour.as_str()),
            "{colour}"
        );
    }
    let texts = texts(&svg);
    for l in ["t = 0", "t = 1", "t = 2"] {
        assert_eq!(
            texts.iter().filter(|t| *t == l).count(),
            1,
            "legend entry {l}"
        );
    }
}

/// A log axis labels each power of ten once and draws minor ticks between.
#[test]
fn a_log_axis_has_distinct_labels_and_minor_ticks() {
    let dir = tempfile::tempdir().unwrap();
    let data = csv(dir.path());
    let a = PlotArgs {
        log_y: true,
        filters: vec!["t=2".into()],
        ..PlotArgs::new(&data, dir.path().join("l.svg"), "n", "messages")
    };
    let svg = svg_of(&a);
    let left = panels(&svg)[0].0;
    let y_labels: Vec<String> = tags(&svg, "text")
        .into_iter()
        .zip(texts(&svg))
        .filter(|(t, _)| {
            attr_text(t, "text-anchor") == Some("end") && attr(t, "x") == Some(left - 9.0)
        })
        .map(|(_, s)| s)
        .collect();
    let mut distinct = y_labels.clone();
    distinct.sort();
    distinct.dedup();
    assert!(
        y_labels.len() >= 3 && distinct.len() == y_labels.len(),
        "{y_labels:?}"
    );
    let minor = tags(&svg, "polyline")
        .into_iter()
        .filter(|t| {
            let p = attr_text(t, "points").unwrap();
            p.starts_with(&format!("{},", left - 3.0))
        })
        .count();
    assert!(minor >= 5, "minor ticks: {minor}");
}

/// `--title`, `--xlabel`, `--ylabel` and `--size` are honoured; a bad size is exit 2.
#[test]
fn title_labels_and_size_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let data = csv(dir.path());
    let a = PlotArgs {
        z: Some("agreement".into()),
        filters: vec!["protocol=oral".into()],
        title: Some("Oral messages".into()),
        xlabel: Some("generals n".into()),
        ylabel: Some("traitors t".into()),
        size: Some("1200x500".into()),
        ..PlotArgs::new(&data, dir.path().join("s.svg"), "n", "t")
    };
    let svg = svg_of(&a);
    let root = tags(&svg, "svg")[0];
    assert_eq!(
        (attr(root, "width"), attr(root, "height")),
        (Some(1200.0), Some(500.0))
    );
    let texts = texts(&svg);
    for s in ["Oral messages", "generals n", "traitors t"] {
        assert!(texts.contains(&s.to_string()), "{s}: {texts:?}");
    }
    for bad in ["1200", "10x10", "axb", "1200x500x2"] {
        let out = byzsim(
            dir.path(),
            &[
                "plot",
                "data.csv",
                "-o",
                "x.svg",
                "--x",
                "n",
                "--y",
                "t",
                "--z",
                "agreement",
                "--where",
                "protocol=oral",
                "--size",
                bad,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "--size {bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--size"));
    }
}

/// The extension picks the format: `.png` is a real PNG of the same picture (white page,
/// viridis cells, dark text in the title band); an unknown extension is exit 2, nothing written;
/// a name with no extension (a bare name, `/dev/null`, a FIFO) is SVG.
#[test]
fn the_extension_picks_the_format_and_a_png_is_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    csv(dir.path());
    let base = [
        "plot",
        "data.csv",
        "--x",
        "n",
        "--y",
        "t",
        "--z",
        "agreement",
        "--where",
        "protocol=oral",
    ];
    let run = |out: &str| {
        let mut a = base.to_vec();
        a.extend(["-o", out]);
        byzsim(dir.path(), &a)
    };
    for bad in ["x.jpg", "x.pdf", "x.svg.txt"] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(".svg or .png"),
            "{bad}"
        );
        assert!(!dir.path().join(bad).exists());
    }
    assert!(run("h.svg").status.success());
    assert!(run("bare").status.success());
    assert_eq!(
        std::fs::read(dir.path().join("bare")).unwrap(),
        std::fs::read(dir.path().join("h.svg")).unwrap(),
        "no extension: the same SVG"
    );
    let out = run("h.PNG");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(dir.path().join("h.svg")).unwrap();
    let png = std::fs::read(dir.path().join("h.PNG")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
    let root = tags(&svg, "svg")[0];
    assert_eq!(
        (pixmap.width() as f64, pixmap.height() as f64),
        (attr(root, "width").unwrap(), attr(root, "height").unwrap())
    );
    let px = |x: u32, y: u32| {
        let p = pixmap.pixel(x, y).unwrap();
        (p.red(), p.green(), p.blue())
    };
    let all: Vec<(u8, u8, u8)> = (0..pixmap.height())
        .flat_map(|y| (0..pixmap.width()).map(move |x| (x, y)))
        .map(|(x, y)| px(x, y))
        .collect();
    let white = all.iter().filter(|p| **p == (255, 255, 255)).count() as f64 / all.len() as f64;
    assert!(
        (0.3..0.9).contains(&white),
        "mostly page, partly cells: {white}"
    );
    // The cells at rate 1 are viridis yellow.
    let yellowish = all
        .iter()
        .filter(|(r, g, b)| *r > 200 && *g > 200 && *b < 100)
        .count();
    assert!(
        yellowish > 1000,
        "cells at rate 1 are viridis yellow: {yellowish}"
    );
    let title_band_dark = (0..pixmap.width())
        .flat_map(|x| (8..36).map(move |y| (x, y)))
        .filter(|&(x, y)| {
            let (r, g, b) = px(x, y);
            r < 80 && g < 80 && b < 80
        })
        .count();
    assert!(
        title_band_dark > 200,
        "the title is drawn (fonts found): {title_band_dark}"
    );
}
