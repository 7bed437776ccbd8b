//! Charts as SVG and PNG: line charts (linear and log axes, skipped non-finite points),
//! rasters, and re-plotting a run directory's probe files, including its error cases. PNGs are
//! checked by their properties (size, where dark and coloured pixels are), not pixel by pixel.

use std::path::Path;

use cortecs::plot::{
    LineChart, PlotError, Raster, Series, plot_run_dir, plot_run_dir_auto, run_dir_dt, tuning_chart,
};
use ndarray::{Array2, Array3};
use ndarray_npy::write_npy;
use tiny_skia::Pixmap;

/// A chart with the given series on linear axes.
fn chart(series: Vec<Series>) -> LineChart {
    LineChart {
        title: "Membrane <potential> & \"co\"".into(),
        x_label: "time (ms)".into(),
        y_label: "v (mV)".into(),
        series,
        log_x: false,
        log_y: false,
    }
}

/// A series named `name` through the given points.
fn series(name: &str, xs: &[f64], ys: &[f64]) -> Series {
    Series {
        name: name.into(),
        xs: xs.to_vec(),
        ys: ys.to_vec(),
    }
}

/// The number of spike marks (`M` commands of the `spikes` path) in a raster SVG.
fn spike_marks(svg: &str) -> usize {
    let Some(start) = svg.find("class=\"spikes\"") else {
        return 0;
    };
    let d = &svg[start..];
    let d = &d[d.find(" d=\"").expect("spikes path has d") + 4..];
    d[..d.find('"').expect("d is closed")].matches('M').count()
}

/// Whether `svg` has a tick label reading exactly `label`.
fn has_tick(svg: &str, label: &str) -> bool {
    svg.lines()
        .any(|l| l.contains("class=\"tick\"") && l.ends_with(&format!(">{label}</text>")))
}

#[test]
fn line_chart_has_polylines_title_labels_and_legend() {
    let xs: Vec<f64> = (0..50).map(f64::from).collect();
    let a: Vec<f64> = xs.iter().map(|x| -70.0 + x * 0.3).collect();
    let b: Vec<f64> = xs.iter().map(|x| -65.0 - x * 0.1).collect();
    let svg = chart(vec![series("unit 0", &xs, &a), series("unit <1>", &xs, &b)]).to_svg();
    assert!(svg.starts_with("<svg "));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<polyline").count(), 2);
    assert!(svg.contains("Membrane &lt;potential&gt; &amp; &quot;co&quot;"));
    assert!(svg.contains(">time (ms)</text>"));
    assert!(svg.contains(">v (mV)</text>"));
    assert!(svg.contains(">unit 0</text>"));
    assert!(svg.contains(">unit &lt;1&gt;</text>"));
    assert!(!svg.contains("<potential>"));
    // Round ticks spanning the data: x 0 … 49 → 0 … 50, y −70 … −55.3 → −70 … −55.
    for label in ["0", "10", "50", "-70", "-55"] {
        assert!(has_tick(&svg, label), "no tick {label}");
    }
}

#[test]
fn log_axes_are_labelled_at_decades() {
    let xs = [1.0, 3.0, 10.0, 30.0, 100.0, 1000.0];
    let ys = [0.01, 0.05, 0.2, 1.0, 10.0, 100.0];
    let mut c = chart(vec![series("rate", &xs, &ys)]);
    c.log_x = true;
    c.log_y = true;
    let svg = c.to_svg();
    for label in ["1", "10", "100", "1000", "0.01", "0.1"] {
        assert!(has_tick(&svg, label), "no decade tick {label}");
    }
    assert!(!has_tick(&svg, "500"), "a log axis labels decades only");
    assert_eq!(svg.matches("<polyline").count(), 1);
}

#[test]
fn non_finite_and_non_positive_points_are_skipped() {
    let xs = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let ys = [1.0, 2.0, f64::NAN, 3.0, f64::INFINITY, 4.0, 5.0];
    let svg = chart(vec![series("gappy", &xs, &ys)]).to_svg();
    // Broken at the NaN and at ∞: [0, 1], [3] (a dot), [5, 6].
    assert_eq!(svg.matches("<polyline").count(), 2);
    assert_eq!(svg.matches("<circle").count(), 1);
    assert!(!svg.contains("NaN") && !svg.contains("inf"));

    // Nothing drawable at all: still a document, with its title and a note.
    let all_nan = chart(vec![series("none", &[0.0, 1.0], &[f64::NAN, f64::NAN])]).to_svg();
    assert!(all_nan.starts_with("<svg ") && all_nan.contains("no data"));
    assert!(all_nan.contains("Membrane"));
    assert!(!all_nan.contains("<polyline"));
    let empty = chart(Vec::new()).to_svg();
    assert!(empty.contains("no data"));

    // On a log axis, values ≤ 0 cannot be placed.
    let mut log = chart(vec![series("log", &[1.0, 2.0, 3.0], &[-1.0, 0.0, 5.0])]);
    log.log_y = true;
    let svg = log.to_svg();
    assert_eq!(svg.matches("<circle").count(), 1);

    // Extreme magnitudes render without panicking.
    let huge = chart(vec![series(
        "huge",
        &[-f64::MAX, f64::MAX],
        &[f64::MAX, -f64::MAX],
    )]);
    assert!(huge.to_svg().contains("<polyline"));
}

#[test]
fn raster_draws_one_mark_per_spike() {
    let spikes = vec![(1.0, 0), (2.5, 3), (2.5, 4), (f64::NAN, 1), (9.0, 2)];
    let raster = Raster {
        title: "spikes".into(),
        x_label: "time (ms)".into(),
        y_label: "neuron".into(),
        spikes,
        n_units: 5,
        t_max: 10.0,
    };
    let svg = raster.to_svg();
    assert_eq!(spike_marks(&svg), 4);
    assert!(svg.contains(">time (ms)</text>") && svg.contains(">neuron</text>"));
    let silent = Raster {
        spikes: Vec::new(),
        ..raster
    };
    assert!(silent.to_svg().contains("no spikes"));
}

#[test]
fn run_dir_is_plotted_with_dt_from_model_ron() {
    let dir = tempfile::tempdir().unwrap();
    let (steps, units) = (40, 5);
    let s = Array2::from_shape_fn((steps, units), |(t, i)| {
        f32::from((t * 7 + i * 3) % 11 == 0)
    });
    let n_spikes = s.iter().filter(|&&v| v == 1.0).count();
    assert!(n_spikes > 5);
    let v = Array2::from_shape_fn((steps, 3), |(t, i)| -70.0 + (t + 5 * i) as f32 * 0.4);
    write_npy(dir.path().join("P.s.npy"), &s).unwrap();
    write_npy(dir.path().join("P.v.npy"), &v).unwrap();
    std::fs::write(
        dir.path().join("model.ron"),
        "Model(\n    dt: 0.5,\n    seed: 1,\n    cells: [(name: \"P\", kind: \"LIF\", params: ())],\n)\n",
    )
    .unwrap();
    assert_eq!(run_dir_dt(dir.path()).unwrap(), Some(0.5));

    let written = plot_run_dir_auto(dir.path()).unwrap();
    let beside = |name: &str| dir.path().join(name);
    assert_eq!(
        written,
        vec![
            [beside("P.s.svg"), beside("P.s.png")],
            [beside("P.v.svg"), beside("P.v.png")]
        ]
    );
    for [_, png] in &written {
        let image = decode(&std::fs::read(png).unwrap());
        assert_eq!((image.width(), image.height()), (1600, 960));
        // Lines or marks in the plot area: darker than the light grey grid.
        let inked = pixels_where(&image, PLOT_AREA, |r, g, b| r.min(g).min(b) < 200);
        assert!(inked.len() > 500, "{}", png.display());
    }

    let raster = std::fs::read_to_string(dir.path().join("P.s.svg")).unwrap();
    assert_eq!(spike_marks(&raster), n_spikes);
    assert!(raster.contains(">time (ms)</text>") && raster.contains(">neuron</text>"));

    // the unit comes from the kind of the probe's target (LIF: v in mV)
    let trace = std::fs::read_to_string(dir.path().join("P.v.svg")).unwrap();
    assert!(trace.contains(">v (mV)</text>"));
    assert!(trace.contains(">time (ms)</text>"));
    assert_eq!(trace.matches("<polyline").count(), 3);
    // 40 steps of 0.5 ms end at 20 ms, not at 40.
    assert!(has_tick(&trace, "20"));
    assert!(!has_tick(&trace, "40"));
}

/// A probe sampled every k steps (`sample_every` in the run's model.ron) has a row every k·dt:
/// its time axis spans rows × k × dt.
#[test]
fn sampled_probes_are_drawn_at_their_sample_times() {
    let dir = tempfile::tempdir().unwrap();
    let v = Array2::from_shape_fn((10, 1), |(t, _)| t as f32);
    write_npy(dir.path().join("L.v.npy"), &v).unwrap();
    std::fs::write(
        dir.path().join("model.ron"),
        r#"Model(dt: 1.0, cells: [(name: "L", kind: "LIF", params: ())],
             probes: [(target: "L", compartment: "v", sample_every: 10)])"#,
    )
    .unwrap();
    plot_run_dir_auto(dir.path()).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("L.v.svg")).unwrap();
    assert!(
        has_tick(&svg, "100"),
        "10 rows × 10 steps × 1 ms end at 100 ms"
    );
}

/// A trace's value axis carries the unit its kind gives the compartment, and none when the
/// kind (or the run's model.ron) does not say.
#[test]
fn trace_labels_take_the_unit_from_the_targets_kind() {
    let dir = tempfile::tempdir().unwrap();
    let v = Array2::from_shape_fn((10, 1), |(t, _)| t as f32);
    for name in ["L.v", "F.v", "E.refractory_time", "X.v"] {
        write_npy(dir.path().join(format!("{name}.npy")), &v).unwrap();
    }
    std::fs::write(
        dir.path().join("model.ron"),
        r#"Model(dt: 1.0, cells: [
            (name: "L", kind: "LIF", params: ()),
            (name: "F", kind: "FitzhughNagumo", params: ()),
            (name: "E", kind: "Ensemble", params: ()),
            (name: "X", kind: "MyOwnKind", params: ()),
        ])"#,
    )
    .unwrap();
    plot_run_dir_auto(dir.path()).unwrap();
    for (name, label) in [
        ("L.v", ">v (mV)</text>"),
        ("F.v", ">v (dimensionless)</text>"),
        ("E.refractory_time", ">refractory_time (ms)</text>"),
        ("X.v", ">v</text>"),
    ] {
        let svg = std::fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains(label), "{name}: no {label}");
    }
}

#[test]
fn explicit_dt_nan_values_many_units_and_nengo_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut z = Array2::from_shape_fn((10, 25), |(t, i)| (t + i) as f64);
    z[[3, 1]] = f64::NAN;
    write_npy(dir.path().join("z.j.0-25.npy"), &z).unwrap();
    // Nengo's neuron output: 0 or 1/dt.
    let out = Array2::from_shape_fn((10, 4), |(t, i)| if t == i { 1000.0f64 } else { 0.0 });
    write_npy(dir.path().join("A.output.npy"), &out).unwrap();
    let decoded = Array2::from_shape_fn((10, 1), |(t, _)| t as f64 * 0.1);
    write_npy(dir.path().join("A.decoded.npy"), &decoded).unwrap();

    // No model.ron: the given dt is used.
    assert_eq!(run_dir_dt(dir.path()).unwrap(), None);
    let written = plot_run_dir(dir.path(), 2.0).unwrap();
    assert_eq!(written.len(), 3);

    let j = std::fs::read_to_string(dir.path().join("z.j.0-25.svg")).unwrap();
    assert!(j.contains("(NaN values skipped)"));
    assert!(j.contains("(first 20 of 25 units)"));
    assert!(j.contains(">j</text>"));
    assert!(has_tick(&j, "20"), "10 steps of 2 ms end at 20 ms");
    // Unit 1 is broken by its NaN into two lines.
    assert_eq!(j.matches("<polyline").count(), 21);

    let output = std::fs::read_to_string(dir.path().join("A.output.svg")).unwrap();
    assert_eq!(spike_marks(&output), 4);
    let decoded = std::fs::read_to_string(dir.path().join("A.decoded.svg")).unwrap();
    assert!(decoded.contains(">decoded value</text>"));
}

#[test]
fn dt_search_ignores_longer_names_and_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("model.ron"),
        "Model(max_dt: 9.0, dt: -1, dt: 0.25)",
    )
    .unwrap();
    assert_eq!(run_dir_dt(dir.path()).unwrap(), Some(0.25));
    std::fs::write(dir.path().join("model.ron"), "Model(seed: 1)").unwrap();
    assert_eq!(run_dir_dt(dir.path()).unwrap(), None);
}

#[test]
fn empty_dir_has_no_probes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.ron"), "Model(dt: 0.1)").unwrap();
    let err = plot_run_dir_auto(dir.path()).unwrap_err();
    assert!(matches!(&err, PlotError::NoProbes { dir: d } if d == dir.path()));
    let message = err.to_string();
    assert!(message.contains("no probe files (*.npy)"), "{message}");
    assert!(
        message.contains(&dir.path().display().to_string()),
        "{message}"
    );

    let missing = dir.path().join("missing");
    let err = plot_run_dir(&missing, 1.0).unwrap_err();
    assert!(matches!(&err, PlotError::Read { path, .. } if path == &missing));
}

/// Asserts that plotting `dir` fails with a read error naming `file`.
fn assert_read_error(dir: &Path, file: &str) {
    // the run's step, so that the probe file is what fails
    std::fs::write(dir.join("model.ron"), "Model(dt: 1.0)").unwrap();
    let err = plot_run_dir_auto(dir).unwrap_err();
    let path = dir.join(file);
    assert!(
        matches!(&err, PlotError::Read { path: p, .. } if p == &path),
        "{err:?}"
    );
    assert!(err.to_string().contains(file), "{err}");
}

#[test]
fn corrupt_probe_files_are_read_errors_naming_the_file() {
    // Random bytes.
    let dir = tempfile::tempdir().unwrap();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..256)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(dir.path().join("bad.npy"), bytes).unwrap();
    assert_read_error(dir.path(), "bad.npy");

    // A valid header promising far more data than follows.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.s.npy");
    write_npy(&path, &Array2::<f32>::zeros((4, 4))).unwrap();
    let text = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&text).replace("(4, 4)", "(400000000000, 4)");
    std::fs::write(&path, text.as_bytes()).unwrap();
    assert_read_error(dir.path(), "huge.s.npy");

    // Three dimensions.
    let dir = tempfile::tempdir().unwrap();
    write_npy(
        dir.path().join("cube.v.npy"),
        &Array3::<f32>::zeros((2, 2, 2)),
    )
    .unwrap();
    assert_read_error(dir.path(), "cube.v.npy");

    // Integers.
    let dir = tempfile::tempdir().unwrap();
    write_npy(dir.path().join("int.v.npy"), &Array2::<i32>::zeros((2, 2))).unwrap();
    assert_read_error(dir.path(), "int.v.npy");
}

#[test]
fn tuning_chart_has_one_series_per_neuron_up_to_twenty() {
    let xs: Vec<f64> = (0..11).map(|p| -1.0 + 0.2 * f64::from(p)).collect();
    let rates = Array2::from_shape_fn((11, 30), |(p, i)| (xs[p] * i as f64).max(0.0) * 10.0);
    let c = tuning_chart(&xs, &rates, "A");
    assert_eq!(c.series.len(), 20);
    assert_eq!(c.title, "A (first 20 of 30 neurons)");
    assert_eq!(c.y_label, "rate (Hz)");
    assert!(c.to_svg().contains(">rate (Hz)</text>"));
    let few = tuning_chart(&xs, &rates.slice(ndarray::s![.., ..3]).to_owned(), "B");
    assert_eq!((few.series.len(), few.title.as_str()), (3, "B"));
}

/// A streamed probe interrupted between appending a chunk and updating its header has bytes
/// after the rows its header announces: the plot shows the announced rows (numpy reads them
/// the same way).
#[test]
fn an_interrupted_stream_plots_what_its_header_announces() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("P.v.npy");
    let mut s = cortecs::probe::stream::NpyStream::create(&path, 2).unwrap();
    s.append(&[1.0, 2.0, 3.0, 4.0]).unwrap();
    drop(s);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(&[0u8; 12]).unwrap();
    // the run's model.ron, which `run --stream` writes before the first step
    std::fs::write(dir.path().join("model.ron"), "Model(dt: 1.0)").unwrap();
    let files = cortecs::plot::plot_run_dir_auto(dir.path()).unwrap();
    assert_eq!(
        files,
        vec![[dir.path().join("P.v.svg"), dir.path().join("P.v.png")]]
    );
}

/// A pixel rectangle of a PNG: columns `x0..x1`, rows `y0..y1`.
type Region = (u32, u32, u32, u32);

/// The plot area of a 2× PNG (chart pixels 95…620 × 50…410), inset by two pixels so that the
/// frame is outside it.
const PLOT_AREA: Region = (192, 1238, 102, 818);

/// The title row of a 2× PNG: chart pixels 0…800 × 8…36, above the plot area.
const TITLE_ROW: Region = (0, 1600, 16, 72);

/// The strip left of the y tick labels where the rotated y label is: chart pixels 0…30 ×
/// 50…410.
const Y_LABEL_STRIP: Region = (0, 60, 100, 820);

/// Decodes a PNG, panicking if it is not one.
fn decode(png: &[u8]) -> Pixmap {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG signature");
    Pixmap::decode_png(png).expect("a decodable PNG")
}

/// The pixels in `region` for which `keep(r, g, b)` holds.
fn pixels_where(
    image: &Pixmap,
    (x0, x1, y0, y1): Region,
    keep: impl Fn(u8, u8, u8) -> bool,
) -> Vec<(u32, u32)> {
    let mut found = Vec::new();
    for y in y0..y1.min(image.height()) {
        for x in x0..x1.min(image.width()) {
            let p = image.pixel(x, y).expect("inside the image");
            assert_eq!(p.alpha(), 255, "the image is opaque");
            if keep(p.red(), p.green(), p.blue()) {
                found.push((x, y));
            }
        }
    }
    found
}

/// The pixels in `region` darker than mid-grey in every channel (text, frame, black marks).
fn dark_pixels(image: &Pixmap, region: Region) -> Vec<(u32, u32)> {
    pixels_where(image, region, |r, g, b| r < 100 && g < 100 && b < 100)
}

/// The pixels in `region` within 12 of the colour `#rrggbb` in every channel.
fn pixels_of(image: &Pixmap, region: Region, rgb: u32) -> Vec<(u32, u32)> {
    let [_, r0, g0, b0] = rgb.to_be_bytes();
    pixels_where(image, region, |r, g, b| {
        r.abs_diff(r0) <= 12 && g.abs_diff(g0) <= 12 && b.abs_diff(b0) <= 12
    })
}

/// The smallest rectangle holding `pixels`: `(x0, x1, y0, y1)`, inclusive.
fn bounding_box(pixels: &[(u32, u32)]) -> Region {
    pixels
        .iter()
        .fold((u32::MAX, 0, u32::MAX, 0), |(x0, x1, y0, y1), &(x, y)| {
            (x0.min(x), x1.max(x), y0.min(y), y1.max(y))
        })
}

/// Four separate straight series; the fourth is drawn in the palette's red, `#d62728`.
fn four_series() -> LineChart {
    let xs: Vec<f64> = (0..=100).map(f64::from).collect();
    let line = |offset: f64| -> Vec<f64> { xs.iter().map(|x| offset + x * 0.1).collect() };
    chart(vec![
        series("blue", &xs, &line(0.0)),
        series("orange", &xs, &line(20.0)),
        series("green", &xs, &line(40.0)),
        series("red", &xs, &line(60.0)),
    ])
}

#[test]
fn png_is_an_opaque_image_at_twice_the_chart_size() {
    let image = decode(&four_series().to_png().unwrap());
    assert_eq!((image.width(), image.height()), (1600, 960));
    // White background in the corners, and not blank.
    for (x, y) in [(0, 0), (1599, 0), (0, 959), (1599, 959)] {
        let p = image.pixel(x, y).unwrap();
        assert_eq!(
            (p.red(), p.green(), p.blue(), p.alpha()),
            (255, 255, 255, 255)
        );
    }
    let everything = (0, 1600, 0, 960);
    let not_white = pixels_where(&image, everything, |r, g, b| (r, g, b) != (255, 255, 255));
    assert!(
        not_white.len() > 10_000,
        "{} non-white pixels",
        not_white.len()
    );
}

#[test]
fn png_draws_each_series_in_its_colour_inside_the_plot_area() {
    let image = decode(&four_series().to_png().unwrap());
    for (name, rgb) in [("blue", 0x1f77b4), ("red", 0xd62728)] {
        let inside = pixels_of(&image, PLOT_AREA, rgb);
        // A 1.2-pixel line across the plot area covers well over a thousand image pixels.
        assert!(inside.len() > 1000, "{name}: {} pixels", inside.len());
        let (x0, x1, _, _) = bounding_box(&inside);
        assert!(
            x0 < 250 && x1 > 1180,
            "{name} spans the plot area: {x0}…{x1}"
        );
        // Its legend swatch, right of the plot area.
        let legend = pixels_of(&image, (1240, 1600, 100, 820), rgb);
        assert!(!legend.is_empty(), "{name} has no legend swatch");
    }
    // The red series (60 … 70) lies above the blue one (0 … 10): smaller image rows.
    let red = bounding_box(&pixels_of(&image, PLOT_AREA, 0xd62728));
    let blue = bounding_box(&pixels_of(&image, PLOT_AREA, 0x1f77b4));
    assert!(red.3 < blue.2, "red {red:?} should be above blue {blue:?}");
}

#[test]
fn png_text_is_rendered_where_the_svg_puts_it() {
    let titled = decode(&four_series().to_png().unwrap());
    let title = dark_pixels(&titled, TITLE_ROW);
    assert!(title.len() > 200, "title: {} dark pixels", title.len());
    // Centred (text-anchor middle) on the image's middle column.
    let (x0, x1, y0, y1) = bounding_box(&title);
    let centre = (x0 + x1) / 2;
    assert!(
        centre.abs_diff(800) < 8,
        "title centred at {centre}: {x0}…{x1}"
    );
    // Wider than tall, with room for "Membrane <potential> & "co"" at 32 px.
    assert!(
        x1 - x0 > 400 && y1 - y0 < 60,
        "title box {x0}…{x1} × {y0}…{y1}"
    );

    let untitled = LineChart {
        title: String::new(),
        ..four_series()
    };
    let untitled = decode(&untitled.to_png().unwrap());
    assert!(dark_pixels(&untitled, TITLE_ROW).is_empty());

    // The y label is turned to read upwards: its pixels form a tall, narrow box centred on
    // the plot area's middle row (chart y 230 → image row 460).
    let y_label = dark_pixels(&titled, Y_LABEL_STRIP);
    assert!(
        y_label.len() > 100,
        "y label: {} dark pixels",
        y_label.len()
    );
    let (x0, x1, y0, y1) = bounding_box(&y_label);
    assert!(y1 - y0 > 2 * (x1 - x0), "y label box {x0}…{x1} × {y0}…{y1}");
    assert!(
        ((y0 + y1) / 2).abs_diff(460) < 8,
        "y label centred at {}",
        (y0 + y1) / 2
    );

    // Tick labels under the x axis (chart y 410 … 435).
    assert!(!dark_pixels(&titled, (150, 1300, 830, 870)).is_empty());
}

#[test]
fn raster_png_marks_spikes_and_empty_charts_still_render() {
    let raster = Raster {
        title: "spikes".into(),
        x_label: "time (ms)".into(),
        y_label: "neuron".into(),
        spikes: (0..200)
            .map(|i| (f64::from(i) * 0.5, (i % 10) as usize))
            .collect(),
        n_units: 10,
        t_max: 100.0,
    };
    let image = decode(&raster.to_png().unwrap());
    let marks = dark_pixels(&image, PLOT_AREA);
    assert!(
        marks.len() > 2000,
        "{} dark pixels of spike marks",
        marks.len()
    );
    // Spikes of neuron 9 (top row) and neuron 0 (bottom row) are both there.
    let (_, _, y0, y1) = bounding_box(&marks);
    assert!(y0 < 160 && y1 > 760, "marks span rows {y0}…{y1}");

    let silent = Raster {
        spikes: Vec::new(),
        ..raster
    };
    let image = decode(&silent.to_png().unwrap());
    // Only the grey note "no spikes" in the plot area: no black marks.
    assert!(dark_pixels(&image, PLOT_AREA).is_empty());
    assert!(!pixels_of(&image, PLOT_AREA, 0x777777).is_empty());
    let empty = decode(&chart(Vec::new()).to_png().unwrap());
    assert!(
        !pixels_of(&empty, PLOT_AREA, 0x777777).is_empty(),
        "no 'no data' note"
    );
}

#[test]
fn save_writes_the_svg_and_the_png_beside_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let c = four_series();
    let [svg, png] = c.save(&dir.path().join("z1.v")).unwrap();
    assert_eq!(svg, dir.path().join("z1.v.svg"));
    assert_eq!(png, dir.path().join("z1.v.png"));
    assert_eq!(std::fs::read_to_string(&svg).unwrap(), c.to_svg());
    assert_eq!(std::fs::read(&png).unwrap(), c.to_png().unwrap());
    // Nothing else: no temporary files left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

    let missing = dir.path().join("no/such/dir/chart");
    let err = c.save(&missing).unwrap_err();
    assert!(
        matches!(&err, PlotError::Write { path, .. } if path == &dir.path().join("no/such/dir/chart.svg")),
        "{err:?}"
    );
}

/// A long trace is thinned to what the pixels can show and still drawn (no timing asserted:
/// speed is measured by benches, not tests).
#[test]
fn a_png_of_a_hundred_thousand_points_draws_the_trace() {
    let xs: Vec<f64> = (0..100_000).map(|i| f64::from(i) * 0.01).collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|x| (x * 0.3).sin() + 0.2 * (x * 7.0).sin())
        .collect();
    let c = chart(vec![series("long", &xs, &ys)]);
    let png = c.to_png().unwrap();
    let image = decode(&png);
    assert!(pixels_of(&image, PLOT_AREA, 0x1f77b4).len() > 5000);
}

#[test]
fn long_legend_names_are_cut_to_fit_beside_the_plot() {
    let long = "a very long series name that cannot fit beside the plot";
    let xs = [0.0, 1.0];
    let c = chart(vec![series(long, &xs, &xs), series("short", &xs, &xs)]);
    let svg = c.to_svg();
    let legend: Vec<&str> = svg
        .lines()
        .filter(|l| l.contains("class=\"legend\""))
        .collect();
    assert_eq!(legend.len(), 2);
    assert!(legend[0].ends_with("…</text>"), "{}", legend[0]);
    assert!(legend[0].contains(">a very long"), "{}", legend[0]);
    assert!(!svg.contains(long));
    assert!(legend[1].ends_with(">short</text>"));
    // In the PNG, nothing is drawn in the last few columns (the label stops short of the edge).
    let image = decode(&c.to_png().unwrap());
    assert!(dark_pixels(&image, (1592, 1600, 0, 960)).is_empty());
    assert!(!dark_pixels(&image, (1300, 1592, 100, 130)).is_empty());
}

/// A title wider than the chart is cut short with an ellipsis instead of running off the image.
#[test]
fn long_titles_are_cut_to_the_chart_width() {
    let long = "a title that goes on and on about the probe it names ".repeat(4);
    let xs = [0.0, 1.0];
    let mut c = chart(vec![series("s", &xs, &xs)]);
    c.title = long.clone();
    let svg = c.to_svg();
    let title = svg
        .lines()
        .find(|l| l.contains("class=\"title\""))
        .expect("a title");
    assert!(title.ends_with("…</text>"), "{title}");
    assert!(!svg.contains(long.trim()));
    c.title = "short".into();
    assert!(c.to_svg().contains(">short</text>"));
}
