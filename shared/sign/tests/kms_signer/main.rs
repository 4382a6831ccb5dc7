//! The KMS signer: on the wire against moto's KMS, and the DIGEST path moto lacks.

mod digest;
mod moto;
