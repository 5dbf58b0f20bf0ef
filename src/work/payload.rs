//! Task payloads: deterministic input bytes, the output transform and the byte checksum.

/// Deterministic input payload of `len` bytes for task `index` (xorshift stream).
pub fn make_input(index: u64, len: usize) -> Vec<u8> {
    let mut state = index.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let bytes = state.to_le_bytes();
        let take = (len - out.len()).min(8);
        out.extend_from_slice(&bytes[..take]);
    }
    out
}

/// The output payload: every input byte mixed with the work's checksum, so the output
/// depends on both the input that travelled and the work done.
pub fn transform_payload(input: &[u8], work: u64) -> Vec<u8> {
    let key = work.to_le_bytes();
    input.iter().enumerate().map(|(i, b)| b ^ key[i % 8]).collect()
}

/// FNV-1a over `bytes`, seeded with `seed`.
pub fn fold_checksum(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h ^= u64::from_le_bytes(word);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}
