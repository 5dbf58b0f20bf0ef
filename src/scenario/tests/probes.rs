//! Probe tables, the scenario guide, suggestions and shipped scenarios found by name.

use std::path::Path;

use super::super::*;
use crate::probe::convoy::{ConvoyParams, Io};
use crate::probe::{KindParams, ProbeConfig};

#[test]
fn probe_tables_expand_and_reject_bad_keys() {
    let text = "name = \"p\"\n\n[[probe]]\nkind = \"convoy\"\nhogs = [0, 1, 2]\nswitch_interval = [\"1ms\", \"5ms\"]\n";
    let sc = parse(text, Path::new("p.toml")).unwrap();
    assert!(sc.workloads.is_empty());
    let p = &sc.probes[0];
    assert_eq!(p.kind, "convoy");
    assert_eq!(p.variants, ["gil", "threads", "processes"]);
    assert_eq!(p.points.len(), 6);
    let convoy = |i: usize| ConvoyParams::from_values(&p.points[i].0).expect("typed parameters");
    assert_eq!(convoy(5).hogs, 2);
    assert_eq!(convoy(5).switch_interval, std::time::Duration::from_millis(5));
    assert_eq!(convoy(0).io, Io::Sleep, "defaults fill unset parameters");
    let cases = crate::sweep::expand_probes(&sc, 2);
    assert_eq!(cases.len(), 18);
    let keys: std::collections::HashSet<_> = cases.iter().map(|c| &c.key).collect();
    assert_eq!(keys.len(), 18);
    assert!(!cases[0].key.contains("io="), "unset parameters stay out of keys: {}", cases[0].key);

    for (bad, line, key) in [
        ("[[probe]]\nkind = \"convoy\"\nhogz = 1\n", 3, "hogz"),
        ("[[probe]]\nkind = \"convoi\"\n", 2, "kind"),
        ("[[probe]]\nkind = \"convoy\"\nmodels = [\"gil\", \"fibers\"]\n", 3, "models"),
        ("[[probe]]\nkind = \"convoy\"\nhogs = -1\n", 3, "hogs"),
        ("[[probe]]\nkind = \"convoy\"\nio = \"disk\"\n", 3, "io"),
        ("[[probe]]\nkind = \"convoy\"\nswitch_interval = \"0ms\"\n", 3, "switch_interval"),
        ("[[probe]]\nhogs = 1\n", 1, "kind"),
    ] {
        let e = parse(bad, Path::new("bad.toml")).unwrap_err().to_string();
        assert!(e.starts_with(&format!("bad.toml:{line}:")), "{bad:?}: {e}");
        assert!(e.contains(&format!("`{key}`")), "{bad:?}: {e}");
    }
}

#[test]
fn auto_contenders_follow_the_machine_and_stand_alone() {
    let text =
        "name = \"l\"\n\n[[probe]]\nkind = \"lock\"\nmodels = [\"std\"]\ncontenders = \"auto\"\n";
    let sc = parse(text, Path::new("l.toml")).unwrap();
    assert_eq!(sc.probes[0].points[0].0.values["contenders"], crate::scenario::ProbeValue::Auto);
    let counts = |cpus| -> Vec<u64> {
        crate::sweep::expand_probes(&sc, cpus)
            .iter()
            .map(|c| match &c.config {
                ProbeConfig::Lock(p) => p.contenders,
                other => panic!("a lock case: {other:?}"),
            })
            .collect()
    };
    assert_eq!(counts(2), [1, 2, 4]);
    assert_eq!(counts(16), [1, 2, 4, 8, 16, 32]);
    let keys: Vec<String> =
        crate::sweep::expand_probes(&sc, 2).into_iter().map(|c| c.key).collect();
    assert!(keys[2].contains("contenders=4") && !keys[2].contains("auto"), "{keys:?}");

    // Two tables naming the same case: it is planned once.
    let twice = format!("{text}\n[[probe]]\nkind = \"lock\"\nmodels = [\"std\"]\ncontenders = 2\n");
    let sc2 = parse(&twice, Path::new("l.toml")).unwrap();
    assert_eq!(crate::sweep::expand_probes(&sc2, 2).len(), 3);

    for (bad, key, words) in [
        ("contenders = [1, \"auto\"]", "contenders", "alone"),
        ("contenders = \"many\"", "contenders", "\"auto\""),
        ("contenders = 0", "contenders", "1"),
    ] {
        let text = format!("name = \"l\"\n\n[[probe]]\nkind = \"lock\"\n{bad}\n");
        let e = parse(&text, Path::new("l.toml")).expect_err(bad).to_string();
        assert!(e.starts_with("l.toml:5:") && e.contains(key) && e.contains(words), "{bad}: {e}");
    }
}

/// `scenarios/README.md` documents every probe kind: a heading ``### `KIND` ``, and under it
/// (up to the next heading) a table row for every declared parameter, and no other, whose
/// default column holds the declared default.
#[test]
fn scenario_guide_documents_every_probe_parameter() {
    let guide = include_str!("../../../scenarios/README.md");
    for decl in crate::probe::PROBES {
        let heading = format!("### `{}`", decl.kind);
        let start = guide
            .lines()
            .position(|l| l.trim_end() == heading)
            .unwrap_or_else(|| panic!("scenarios/README.md has no heading {heading}"));
        let section: Vec<&str> =
            guide.lines().skip(start + 1).take_while(|l| !l.starts_with("##")).collect();
        for p in decl.params {
            let row = format!("| `{}` |", p.name);
            let line = section.iter().find(|l| l.starts_with(&row)).unwrap_or_else(|| {
                panic!("scenarios/README.md, `{}`: no table row for `{}`", decl.kind, p.name)
            });
            // | parameter | type | default | limits | meaning |; the default as a code span,
            // quoted or not (`0`, `"5ms"`).
            let default = line.split('|').nth(3).unwrap_or("");
            let declared = p.default_value().to_string();
            assert!(
                default.contains(&format!("`{declared}`"))
                    || default.contains(&format!("`\"{declared}\"`")),
                "scenarios/README.md, `{}`: `{}` is documented with default {default:?}, \
                 declared {:?}",
                decl.kind,
                p.name,
                p.default
            );
        }
        for line in section.iter().filter(|l| l.starts_with("| `")) {
            let name = line.split('`').nth(1).unwrap_or("");
            assert!(
                decl.params.iter().any(|p| p.name == name),
                "scenarios/README.md, `{}`: `{name}` is documented but not declared",
                decl.kind
            );
        }
    }
}

#[test]
fn an_uncontended_lock_needs_one_contender() {
    let head = "name = \"l\"\n\n[[probe]]\nkind = \"lock\"\nmode = \"uncontended\"\n";
    assert!(parse(&format!("{head}contenders = 1\n"), Path::new("l.toml")).is_ok());
    for (extra, line) in [("", 4), ("contenders = 2\n", 6), ("contenders = \"auto\"\n", 6)] {
        let e = parse(&format!("{head}{extra}"), Path::new("l.toml")).expect_err(extra).to_string();
        assert!(
            e.starts_with(&format!("l.toml:{line}:")) && e.contains("contenders = 1"),
            "{extra:?}: {e}"
        );
    }
}

#[test]
fn suggestions_pick_the_closest_known_word_or_none() {
    use super::closest;
    let keys = ["task_duration", "iterations", "sleep", "models", "workers"];
    assert_eq!(closest("task_duraton", keys), Some("task_duration"));
    assert_eq!(closest("sleeep", keys), Some("sleep"));
    assert_eq!(closest("wokrers", keys), Some("workers"));
    assert_eq!(closest("gli", ["gil", "gil-granularity", "ipc"]), Some("gil"));
    assert_eq!(closest("bananas", keys), None);
}

#[test]
fn shipped_scenarios_are_found_by_name_and_their_errors_name_the_file() {
    let names: Vec<&str> = super::shipped().iter().map(|s| s.name()).collect();
    assert!(names.contains(&"gil") && names.contains(&"gil-granularity"), "{names:?}");
    assert_eq!(super::find_shipped("gil").unwrap().file, "scenarios/gil.toml");
    let e = super::find_shipped("gill").unwrap_err().to_string();
    assert!(e.contains("did you mean `gil`?") && e.contains("cpu-vs-io"), "{e}");
    let bad = super::Shipped {
        file: "scenarios/bad.toml",
        text: "models = [\"threads\"]\ntasks = 0\n[[workload]]\nkind = \"cpu\"\niterations = 5\n",
        default: false,
    };
    let e = bad.load().unwrap_err().to_string();
    assert!(e.starts_with("scenarios/bad.toml:2:") && e.contains("key `tasks`"), "{e}");
}
