use super::style::{model_colour, model_colour_hex, model_rank};

#[test]
fn colours_are_stable_per_model() {
    assert_eq!(model_colour_hex("threads"), "#0072b2");
    assert_eq!(model_colour("processes:fork"), model_colour("processes:fork"));
    assert_ne!(model_colour("threads"), model_colour("processes:fork"));
    // A variant of a known family keeps the family colour; unknown names get a stable one.
    assert_eq!(model_colour("gil:1ms"), model_colour("gil"));
    assert_eq!(model_colour("custom"), model_colour("custom"));
}

#[test]
fn models_sort_in_report_order() {
    let mut models = vec!["zeta", "async:multi", "threads", "sequential", "alpha"];
    models.sort_by_key(|m| model_rank(m));
    assert_eq!(models, ["sequential", "threads", "async:multi", "alpha", "zeta"]);
}

#[test]
fn ideal_line_is_cut_at_the_top_of_the_chart() {
    let pts = super::scaling::ideal_points(&[1, 2, 4, 8, 16], 16, 5.0);
    assert_eq!(pts, [(0.0, 1.0), (1.0, 2.0), (2.0, 4.0), (2.25, 5.0)]);
    assert_eq!(super::scaling::ideal_points(&[1, 2], 16, 5.0), [(0.0, 1.0), (1.0, 2.0)]);
    // 16 tasks: 32 workers cannot do better than 16.
    let flat = super::scaling::ideal_points(&[8, 16, 32], 16, 40.0);
    assert_eq!(flat, [(0.0, 8.0), (1.0, 16.0), (2.0, 16.0)]);
}

#[test]
fn diverging_scale_is_neutral_at_one_and_opposite_either_side() {
    use super::heatmap::diverging;
    let neutral = diverging(1.0, 1.0);
    let (low, high) = (diverging(0.5, 1.0), diverging(2.0, 1.0));
    assert_eq!(neutral, plotters::style::RGBColor(247, 247, 247));
    assert_ne!(low, high);
    assert!(low.0 > low.2 && high.2 > high.0, "low is warm, high is cool");
    // Beyond the extent the colour saturates.
    assert_eq!(diverging(8.0, 1.0), high);
}

#[test]
fn grid_labels_read_as_sizes() {
    use super::{fraction_label, payload_label, task_label};
    assert_eq!(task_label(1e-6), "1 µs");
    assert_eq!(task_label(0.1), "100 ms");
    assert_eq!(task_label(1.5), "1.5 s");
    assert_eq!(payload_label(0), "0 B");
    assert_eq!(payload_label(64 << 10), "64 KiB");
    assert_eq!(payload_label(1 << 20), "1 MiB");
    assert_eq!(fraction_label(0.25), "0.25");
    assert_eq!(fraction_label(1.0), "1");
}

#[test]
fn series_styles_differ_for_every_lock_kind() {
    let styles: Vec<_> = (0..15).map(super::style::series_style).collect();
    for i in 0..styles.len() {
        for j in 0..i {
            assert_ne!(styles[i].0, styles[j].0, "series {i} and {j} share a colour");
        }
    }
    let more: Vec<_> = (0..75).map(super::style::series_style).collect();
    for i in 0..more.len() {
        for j in 0..i {
            assert_ne!(more[i], more[j], "series {i} and {j} share colour and marker");
        }
    }
}
