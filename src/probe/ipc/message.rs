//! The messages every IPC case carries: a fixed pseudo-random body of the case's size with a
//! sequence number stamped in its first eight bytes, and the check a receiver runs on each
//! one (length, sequence, position-weighted checksum over every byte), so a lost, repeated,
//! reordered or corrupted message fails the case.

/// The smallest message: the sequence number has to fit.
pub const MIN_SIZE: usize = 8;

/// The body of one message size and its checksum without the sequence number.
#[derive(Debug, Clone)]
pub struct Payload {
    template: Vec<u8>,
    base: u64,
}

/// Position-weighted sum of the little-endian words of `bytes` (a short tail is zero-padded).
/// Independent multiplications, so it runs near memory speed.
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    let mut sum = 0u64;
    let mut i = 0u64;
    for w in &mut words {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        sum = sum.wrapping_add(u64::from_le_bytes(a).wrapping_mul(2 * i + 1));
        i += 1;
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 8];
        a[..rest.len()].copy_from_slice(rest);
        sum = sum.wrapping_add(u64::from_le_bytes(a).wrapping_mul(2 * i + 1));
    }
    sum
}

impl Payload {
    /// A body of `size` bytes (at least [`MIN_SIZE`]).
    pub fn new(size: usize) -> Payload {
        let size = size.max(MIN_SIZE);
        let mut template = Vec::with_capacity(size);
        let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ size as u64;
        while template.len() < size {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let take = (size - template.len()).min(8);
            template.extend_from_slice(&x.to_le_bytes()[..take]);
        }
        template[..8].fill(0);
        let base = checksum(&template);
        Payload { template, base }
    }

    /// The message size in bytes.
    pub fn size(&self) -> usize {
        self.template.len()
    }

    /// Writes message `seq` into `buf` (resized to the message size).
    pub fn fill(&self, seq: u64, buf: &mut Vec<u8>) {
        buf.clear();
        buf.extend_from_slice(&self.template);
        Payload::stamp(seq, buf);
    }

    /// A new message `seq`.
    pub fn make(&self, seq: u64) -> Vec<u8> {
        let mut buf = Vec::with_capacity(self.template.len());
        self.fill(seq, &mut buf);
        buf
    }

    /// Overwrites the sequence number of a message already holding the body.
    pub fn stamp(seq: u64, buf: &mut [u8]) {
        if let Some(head) = buf.get_mut(..8) {
            head.copy_from_slice(&seq.to_le_bytes());
        }
    }

    /// Checks that `msg` is message `seq` of this payload, intact.
    pub fn verify(&self, seq: u64, msg: &[u8]) -> Result<(), String> {
        if msg.len() != self.template.len() {
            return Err(format!(
                "message {seq}: {} bytes arrived, {} were sent",
                msg.len(),
                self.template.len()
            ));
        }
        let mut head = [0u8; 8];
        head.copy_from_slice(&msg[..8]);
        let got = u64::from_le_bytes(head);
        if got != seq {
            return Err(format!(
                "message {seq} expected, message {got} arrived (lost or reordered)"
            ));
        }
        if checksum(msg) != self.base.wrapping_add(seq) {
            return Err(format!("message {seq}: checksum mismatch (corrupted)"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_verifies_and_any_change_is_caught() {
        for size in [8usize, 13, 64, 4096 + 3] {
            let p = Payload::new(size);
            let mut m = p.make(7);
            assert_eq!(m.len(), size);
            assert!(p.verify(7, &m).is_ok());
            assert!(p.verify(8, &m).is_err());
            let last = m.len() - 1;
            m[last] ^= 1;
            assert!(p.verify(7, &m).is_err());
            m[last] ^= 1;
            m.pop();
            assert!(p.verify(7, &m).is_err());
        }
    }
}
