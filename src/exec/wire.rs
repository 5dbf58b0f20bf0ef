//! The frames parent and worker processes exchange: a u32 little-endian length, then a
//! postcard-encoded message.
