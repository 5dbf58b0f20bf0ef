//! Declarations and their typed reading: every kind builds from its declared defaults, and
//! every way a case's values or a builder can disagree with a declaration is an error that
//! names the key.

use std::time::Duration;

use super::*;
use crate::probe::convoy::{ConvoyParams, Io};
use crate::probe::lock::{LockMode, LockParams};
use crate::probe::{PROBES, ProbeConfig};

/// The defaults of `kind`, with `name` set to `value` (`None`: left out).
fn with(decl: &ProbeDecl, name: &str, value: Option<ProbeValue>) -> ProbeParams {
    let mut values = ProbeParams::defaults(decl);
    match value {
        Some(v) => values.values.insert(name.to_string(), v),
        None => values.values.remove(name),
    };
    values
}

#[test]
fn every_kind_builds_from_its_declared_defaults() {
    assert_eq!(PROBES.len(), 9);
    for decl in PROBES {
        let config = ProbeConfig::from_values(decl.kind, &ProbeParams::defaults(decl))
            .unwrap_or_else(|e| panic!("`{}` from its defaults: {e}", decl.kind));
        assert_eq!(config.kind(), decl.kind);
        assert!(!decl.variants.is_empty(), "`{}` has no variants", decl.kind);
        for (i, p) in decl.params.iter().enumerate() {
            assert!(
                decl.params[..i].iter().all(|q| q.name != p.name),
                "`{}` declares `{}` twice",
                decl.kind,
                p.name
            );
            let within = match (p.ty, p.default_value()) {
                (ParamType::Count { min, max }, ProbeValue::Count(n)) => (min..=max).contains(&n),
                (ParamType::Units { max }, ProbeValue::Count(n)) => (1..=max).contains(&n),
                (ParamType::Duration { positive, max }, ProbeValue::Duration(d)) => {
                    d <= max && !(positive && d.is_zero())
                }
                (ParamType::Size { max }, ProbeValue::Size(n)) => n <= max,
                (ParamType::Choice(words), ProbeValue::Choice(w)) => words.contains(&w.as_str()),
                _ => false,
            };
            assert!(within, "`{}`: the default of `{}` is outside its limits", decl.kind, p.name);
        }
    }
    let defaults = ProbeParams::defaults(&ConvoyParams::DECL);
    let convoy = ConvoyParams::from_values(&defaults).expect("convoy defaults");
    assert_eq!((convoy.hogs, convoy.io), (0, Io::Sleep));
    assert_eq!(convoy.switch_interval, Duration::from_millis(5));
}

#[test]
fn a_missing_value_or_one_of_another_type_is_named() {
    let decl = LockParams::DECL;
    let e = LockParams::from_values(&with(&decl, "depth", None)).unwrap_err();
    assert_eq!(e, ParamError::Missing { key: "depth".into() });
    let e = LockParams::from_values(&with(&decl, "depth", Some(ProbeValue::Size(2)))).unwrap_err();
    assert!(matches!(&e, ParamError::Type { key, .. } if key == "depth"), "{e}");
    assert!(e.to_string().contains("`depth`"), "{e}");
    let word = Some(ProbeValue::Choice("disk".into()));
    let e = ConvoyParams::from_values(&with(&ConvoyParams::DECL, "io", word)).unwrap_err();
    assert_eq!(e.key(), "io", "{e}");
    let e =
        ConvoyParams::from_values(&with(&ConvoyParams::DECL, "hogz", Some(ProbeValue::Count(1))))
            .unwrap_err();
    assert_eq!(e, ParamError::Undeclared { kind: "convoy", key: "hogz".into() });
    let e = ProbeConfig::from_values("convoi", &ProbeParams::default()).unwrap_err();
    assert_eq!((e.key(), e.to_string()), ("kind", "no probe kind `convoi`".to_string()));
}

#[test]
fn an_auto_count_is_built_once_planned_and_the_lock_rule_names_contenders() {
    let decl = LockParams::DECL;
    let auto = with(&decl, "contenders", Some(ProbeValue::Auto));
    assert_eq!(
        LockParams::from_values(&auto).unwrap_err(),
        ParamError::Auto { key: "contenders".into() }
    );
    let mut alone = with(&decl, "mode", Some(ProbeValue::Choice("uncontended".into())));
    let e = LockParams::from_values(&alone).unwrap_err();
    assert_eq!(e.key(), "contenders");
    assert!(e.to_string().ends_with("write contenders = 1 (here it is 2)"), "{e}");
    alone.values.insert("contenders".into(), ProbeValue::Auto);
    let e = LockParams::from_values(&alone).unwrap_err();
    assert!(e.to_string().ends_with("(here it is \"auto\")"), "{e}");
    alone.values.insert("contenders".into(), ProbeValue::Count(1));
    let p = LockParams::from_values(&alone).expect("one contender alone");
    assert_eq!((p.mode, p.contenders), (LockMode::Uncontended, 1));
}

const A: ParamDecl = ParamDecl {
    name: "a",
    ty: ParamType::Count { min: 0, max: 9 },
    default: ParamDefault::Count(1),
};
const B: ParamDecl = ParamDecl {
    name: "b",
    ty: ParamType::Duration { positive: false, max: Duration::from_secs(1) },
    default: ParamDefault::Duration(Duration::from_millis(1)),
};
const C: ParamDecl =
    ParamDecl { name: "c", ty: ParamType::Choice(Io::WORDS), default: ParamDefault::Word("net") };
const TEST: ProbeDecl = ProbeDecl { kind: "test", variants: &["one"], params: &[A, B, C] };

#[test]
fn a_builder_that_disagrees_with_its_declaration_fails_naming_the_key() {
    let values = ProbeParams::defaults(&TEST);
    let read = |f: &dyn Fn(&mut Values<'_>) -> Result<(), ParamError>| {
        let mut v = Values::new(&TEST, &values);
        f(&mut v)?;
        v.finish()
    };
    let all = |v: &mut Values<'_>| -> Result<(), ParamError> {
        assert_eq!(v.count(&A)?, 1);
        assert_eq!(v.duration(&B)?, Duration::from_millis(1));
        assert_eq!(v.choice::<Io>(&C)?, Io::Net);
        Ok(())
    };
    assert_eq!(read(&all), Ok(()));
    // Left unread.
    let e = read(&|v| v.count(&A).map(drop)).unwrap_err();
    assert_eq!(e, ParamError::Unread { key: "b".into() });
    // Read twice.
    let e = read(&|v| v.count(&A).and_then(|_| v.count(&A)).map(drop)).unwrap_err();
    assert_eq!(e, ParamError::Twice { key: "a".into() });
    // Read as another type than declared.
    let e = read(&|v| v.duration(&A).map(drop)).unwrap_err();
    assert!(matches!(&e, ParamError::Type { key, .. } if key == "a"), "{e}");
    let e = read(&|v| v.choice::<LockMode>(&C).map(drop)).unwrap_err();
    assert!(matches!(&e, ParamError::Type { key, .. } if key == "c"), "{e}");
    // A declaration of another kind.
    let other = ParamDecl {
        name: "a",
        ty: ParamType::Count { min: 0, max: 99 },
        default: ParamDefault::Count(1),
    };
    let e = read(&|v| v.count(&other).map(drop)).unwrap_err();
    assert_eq!(e, ParamError::Undeclared { kind: "test", key: "a".into() });
}
