//! The credentials API function (see `certify_http::Area::Credentials`): the one that
//! signs, so the only one the signing key lets use it.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    certify_app::serve_signing::<{ certify_http::Area::Credentials as u8 }>().await
}
