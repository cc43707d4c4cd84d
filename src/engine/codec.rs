//! Compact serde encodings for large numeric columns: raw little-endian bytes
//! instead of one varint per value, so a worker hands millions of keys to
//! another as one byte buffer.

/// Defines a serde `with` module that writes a `Vec<$t>` as raw
/// little-endian bytes.
macro_rules! le_vec {
    ($name:ident, $t:ty, $n:literal) => {
        #[doc = concat!("`Vec<", stringify!($t), ">` as raw little-endian bytes.")]
        pub mod $name {
            use serde::{Deserialize, Deserializer, Serializer};

            /// Serialises as bytes.
            pub fn serialize<S: Serializer>(v: &[$t], s: S) -> Result<S::Ok, S::Error> {
                let mut bytes = Vec::with_capacity(v.len() * $n);
                for x in v {
                    bytes.extend_from_slice(&x.to_le_bytes());
                }
                s.serialize_bytes(&bytes)
            }

            /// Deserialises from bytes.
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<$t>, D::Error> {
                let bytes: super::serde_bytes_compat::ByteBuf = Deserialize::deserialize(d)?;
                Ok(bytes.0.chunks_exact($n).map(|c| <$t>::from_le_bytes(c.try_into().unwrap_or([0; $n]))).collect())
            }
        }
    };
}

le_vec!(u64s, u64, 8);
le_vec!(u32s, u32, 4);
le_vec!(i64s, i64, 8);
le_vec!(i32s, i32, 4);

/// `Vec<u8>` as one byte string.
pub mod bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as bytes.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    /// Deserialises from bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let b: super::serde_bytes_compat::ByteBuf = Deserialize::deserialize(d)?;
        Ok(b.0)
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
