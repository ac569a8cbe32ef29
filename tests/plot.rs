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
        csv: csv.to_path_buf(),
        out: out.to_path_buf(),
        x: "n".into(),
        y: "t".into(),
        z: Some("agreement".into()),
        series: None,
        log_y: false,
        filters: vec!["protocol=oral".into()],
        title: None,
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
        texts.contains(&"oral".to_string()) && texts.contains(&"signed".to_string()),
        "legend: {texts:?}"
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
    assert_eq!(plot(&a).unwrap_err().key.as_deref(), Some("scenario"));
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
