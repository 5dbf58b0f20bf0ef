use super::*;

#[test]
fn auto_grid_is_geometric_to_twice_cpus() {
    assert_eq!(auto_workers(2), vec![1, 2, 4]);
    assert_eq!(auto_workers(16), vec![1, 2, 4, 8, 16, 32]);
    assert_eq!(auto_workers(3), vec![1, 2, 4]);
}

#[test]
fn switch_interval_applies_to_gil_cases_only() {
    let text = "models = [\"threads\", \"gil\"]\nworkers = [2]\ntasks = 4\nswitch_interval = \"1ms\"\n\n[[workload]]\nkind = \"cpu\"\niterations = 10\n";
    let sc = crate::scenario::parse(text, std::path::Path::new("si.toml")).unwrap();
    let cases = expand(&sc, 2);
    assert_eq!(cases.len(), 2);
    for c in &cases {
        match c.model {
            Model::Gil => {
                assert_eq!(c.switch_interval, Some(Duration::from_millis(1)));
                assert_eq!(c.params.get("switch_interval").map(String::as_str), Some("1ms"));
            }
            _ => assert!(c.switch_interval.is_none() && !c.params.contains_key("switch_interval")),
        }
        assert_eq!(c.group, cases[0].group, "gil and threads are compared in one group");
    }
    let bad = text.replace("\"1ms\"", "\"0ms\"");
    let err = crate::scenario::parse(&bad, std::path::Path::new("si.toml")).unwrap_err();
    assert!(
        err.to_string().contains("si.toml:4:") && err.to_string().contains("switch_interval"),
        "{err}"
    );
}

#[test]
fn every_shown_parameter_has_a_typed_value() {
    let text = "models = [\"gil\"]\nworkers = [2]\ntasks = 4\npayload_bytes = \"1KiB\"\n\n\
                [[workload]]\nkind = \"io-file\"\nbytes = \"64KiB\"\nfsync = true\n\n\
                [[workload]]\nkind = \"mixed\"\ntask_duration = \"2ms\"\ncpu_fraction = 0.25\n\n\
                [[probe]]\nkind = \"lock\"\nmodels = [\"std\"]\ncontenders = 2\n\
                critical_section = \"100ns\"\nduration = \"10ms\"\n";
    let sc = crate::scenario::parse(text, std::path::Path::new("typed.toml")).unwrap();
    let cases = expand(&sc, 2);
    let file = cases[0].param_values();
    assert_eq!(file.keys().collect::<Vec<_>>(), cases[0].params.keys().collect::<Vec<_>>());
    assert_eq!(file["bytes"], ParamValue::Count(65536));
    assert_eq!(file["fsync"], ParamValue::Flag(true));
    assert_eq!(file["payload_bytes"], ParamValue::Count(1024));
    assert_eq!(file["workers"], ParamValue::Count(2));
    assert_eq!(file["switch_interval"], ParamValue::Number(0.005));
    let mixed = cases[1].param_values();
    assert_eq!(mixed["task_duration"], ParamValue::Number(0.002));
    assert_eq!(mixed["cpu_fraction"], ParamValue::Number(0.25));
    let probe = &expand_probes(&sc, 2)[0];
    let typed = probe.param_values();
    assert_eq!(typed.keys().collect::<Vec<_>>(), probe.params.keys().collect::<Vec<_>>());
    assert_eq!(typed["critical_section"], ParamValue::Number(1e-7));
    assert_eq!(typed["contenders"], ParamValue::Count(2));
    assert_eq!(typed["duration"], ParamValue::Number(0.01));
    // In run.json the values are bare: a duration in seconds, a size in bytes.
    let json = serde_json::to_string(&file).unwrap();
    assert!(json.contains("\"bytes\":65536") && json.contains("\"fsync\":true"), "{json}");
}

#[test]
fn combinations_that_cannot_run_anywhere_are_left_out_and_counted() {
    let load = |name: &str| crate::scenario::find_shipped(name).unwrap().load().unwrap();
    for (name, expected) in [("ipc", 16), ("switch", 1), ("gil", 0), ("locks", 0)] {
        let sc = load(name);
        let planned = plan(&sc, 2);
        let left_out = not_applicable(&sc, 2);
        assert_eq!(left_out.len(), expected, "{name}: {left_out:?}");
        // Together they are the whole cartesian product, and no planned case is one of them.
        assert_eq!(
            planned.len() + left_out.len(),
            expand(&sc, 2).len() + expand_probes(&sc, 2).len()
        );
        for n in &left_out {
            assert!(planned.iter().all(|p| p.key() != n.key), "{} planned", n.key);
        }
        for p in &planned {
            if let Planned::Probe(p) = p {
                assert_eq!(crate::probe::not_applicable(&p.variant, &p.config), None);
            }
        }
    }
    let ipc = not_applicable(&load("ipc"), 2);
    let channels = ipc.iter().filter(|n| n.reason.contains("in-process channel")).count();
    let datagrams = ipc.iter().filter(|n| n.reason.contains("64 KiB per datagram")).count();
    assert_eq!((channels, datagrams), (12, 4), "{ipc:?}");
    assert!(ipc.iter().all(|n| n.key.starts_with("ipc/")));
    let switch = not_applicable(&load("switch"), 2);
    assert!(
        switch[0].key.starts_with("switch/async-current/") && switch[0].key.contains("cross-core")
    );
}

#[test]
fn a_probe_point_assembled_in_code_that_does_not_build_is_left_out_naming_the_key() {
    let text = "[[probe]]\nkind = \"lock\"\nmodels = [\"std\", \"atomic\"]\ndepth = [1, 2]\n";
    let mut sc = crate::scenario::parse(text, std::path::Path::new("l.toml")).unwrap();
    assert_eq!(plan(&sc, 2).len(), 4);
    sc.probes[0].points[1].0.values.remove("depth");
    let planned = plan(&sc, 2);
    assert_eq!(planned.len(), 2);
    assert!(planned.iter().all(|p| p.key().contains("depth=1")), "{planned:?}");
    let left_out = not_applicable(&sc, 2);
    assert_eq!(left_out.len(), 2);
    assert!(left_out[0].key.ends_with("depth=2"), "{left_out:?}");
    assert!(left_out[0].reason.contains("`depth`"), "{left_out:?}");
}
