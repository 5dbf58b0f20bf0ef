use super::*;

#[test]
fn auto_grid_is_geometric_to_twice_cpus() {
    assert_eq!(auto_workers(2), vec![1, 2, 4]);
    assert_eq!(auto_workers(16), vec![1, 2, 4, 8, 16, 32]);
    assert_eq!(auto_workers(3), vec![1, 2, 4]);
}
