//! `protokol bench …`: performance figures, each printed next to a baseline measured in the
//! same run on the same data.

mod import;
mod render;

pub use import::import;
pub use render::render;
