//! Opaque list cursors: a cursor's fields, length-prefixed (`5:hello`) and hex-encoded,
//! so that any text survives and a client can neither read nor forge one by accident.
//! Each kind of cursor opens with its own version field, so a cursor one list gave out
//! is never read as another's.

/// Longest encoded cursor read; anything longer was not given out by a list.
const ENCODED_MAX: usize = 8192;

/// The fields, each length-prefixed, hex-encoded.
pub(crate) fn encode(fields: &[&str]) -> String {
    let mut plain = String::new();
    for f in fields {
        plain.push_str(&format!("{}:{f}", f.len()));
    }
    plain.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The fields of a cursor [`encode`] made, or `None` for anything else.
pub(crate) fn decode(raw: &str) -> Option<Vec<String>> {
    if !raw.len().is_multiple_of(2) || raw.len() > ENCODED_MAX {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..raw.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(raw.get(i..i + 2)?, 16).ok())
        .collect();
    let plain = String::from_utf8(bytes?).ok()?;
    let mut rest = plain.as_str();
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest.split_once(':')?;
        let len: usize = len.parse().ok()?;
        fields.push(tail.get(..len)?.to_string());
        rest = tail.get(len..)?;
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_whatever_they_hold() {
        let fields = ["u1", "", "a:b:c", "12:", "ΟΔΥΣΣΕΥΣ ☀"];
        assert_eq!(decode(&encode(&fields)).unwrap(), fields);
    }

    #[test]
    fn damaged_encodings_decode_to_nothing() {
        let good = encode(&["u1", "ana"]);
        for bad in ["zz", "abc", "6869", &good[..good.len() - 2], &"00".repeat(ENCODED_MAX)] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
