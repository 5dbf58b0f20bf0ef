use super::{container_from_cgroup, fingerprint, hypervisor_from_dmi};

#[test]
fn dmi_strings_name_the_hypervisor() {
    assert_eq!(hypervisor_from_dmi("QEMU", "Standard PC (Q35 + ICH9, 2009)"), Some("qemu"));
    assert_eq!(hypervisor_from_dmi("innotek GmbH", "VirtualBox"), Some("virtualbox"));
    assert_eq!(hypervisor_from_dmi("Microsoft Corporation", "Virtual Machine"), Some("hyper-v"));
    assert_eq!(hypervisor_from_dmi("Dell Inc.", "PowerEdge R650"), None);
    assert_eq!(hypervisor_from_dmi("", ""), None);
}

#[test]
fn cgroup_text_names_the_container() {
    assert_eq!(container_from_cgroup("0::/system.slice/docker-1234.scope"), Some("docker"));
    assert_eq!(container_from_cgroup("0::/kubepods/burstable/pod1/abc"), Some("kubernetes"));
    assert_eq!(container_from_cgroup("0::/user.slice/user-1000.slice"), None);
}

#[test]
fn fingerprint_is_filled() {
    let m = fingerprint();
    assert!(m.logical_cpus >= 1);
    assert!((1..=m.logical_cpus).contains(&m.usable_cpus));
    assert!(!m.hostname.is_empty() && !m.arch.is_empty() && !m.os.is_empty());
    assert!(m.rustc.starts_with("rustc"), "{}", m.rustc);
    assert_eq!(m.gilbench_version, env!("CARGO_PKG_VERSION"));
}
