//! The certificates API function (see `certify_http::Area::Certificates`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    certify_app::serve_drawing::<{ certify_http::Area::Certificates as u8 }>().await
}
