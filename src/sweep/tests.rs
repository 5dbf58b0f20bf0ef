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
