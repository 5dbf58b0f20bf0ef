use super::{colour, counterpart};
use crate::plot::model_colour;

#[test]
fn cpython_models_borrow_their_counterparts_colour() {
    assert_eq!(counterpart("cpython:threads"), "gil");
    assert_eq!(colour("cpython:threads"), model_colour("gil"));
    assert_eq!(colour("cpython:processes"), model_colour("processes:fork"));
    assert_eq!(colour("threads"), model_colour("threads"));
}
