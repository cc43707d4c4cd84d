//! Compact serde encodings for large numeric columns: raw little-endian bytes
//! instead of one varint per value, so a worker hands millions of keys to
//! another as one byte buffer.

/// `Vec<u64>` as raw little-endian bytes.
pub mod u64s {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as bytes.
    pub fn serialize<S: Serializer>(v: &[u64], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        s.serialize_bytes(&bytes)
    }

    /// Deserialises from bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        let bytes: super::serde_bytes_compat::ByteBuf = Deserialize::deserialize(d)?;
        Ok(bytes.0.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect())
    }
}

/// `Vec<u32>` as raw little-endian bytes.
pub mod u32s {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as bytes.
    pub fn serialize<S: Serializer>(v: &[u32], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        s.serialize_bytes(&bytes)
    }

    /// Deserialises from bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
        let bytes: super::serde_bytes_compat::ByteBuf = Deserialize::deserialize(d)?;
        Ok(bytes.0.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap_or([0; 4]))).collect())
    }
}

mod serde_bytes_compat {
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer};
    use std::fmt;

    /// An owned byte buffer that deserialises from bytes or a sequence.
    pub(super) struct ByteBuf(pub Vec<u8>);

    impl<'de> Deserialize<'de> for ByteBuf {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ByteBuf, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = ByteBuf;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v.to_vec()))
                }
                fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ByteBuf, A::Error> {
                    let mut v = Vec::new();
                    while let Some(b) = seq.next_element()? {
                        v.push(b);
                    }
                    Ok(ByteBuf(v))
                }
            }
            d.deserialize_byte_buf(V)
        }
    }
}

/// Encodes a value for a message between workers.
pub fn to_bytes<T: serde::Serialize>(v: &T) -> Vec<u8> {
    postcard::to_allocvec(v).unwrap_or_default()
}

/// Decodes a value encoded by [`to_bytes`].
pub fn from_bytes<T: serde::de::DeserializeOwned>(b: &[u8]) -> Result<T, String> {
    postcard::from_bytes(b).map_err(|e| format!("corrupt message: {e}"))
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Cols {
        #[serde(with = "super::u64s")]
        a: Vec<u64>,
        #[serde(with = "super::u32s")]
        b: Vec<u32>,
    }

    #[test]
    fn round_trip() {
        let c = Cols { a: vec![0, u64::MAX, 42], b: vec![7, u32::MAX] };
        let bytes = super::to_bytes(&c);
        assert_eq!(bytes.len(), 1 + 24 + 1 + 8);
        assert_eq!(super::from_bytes::<Cols>(&bytes), Ok(c));
    }
}
