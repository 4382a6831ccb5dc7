//! The certifications API function (see `certify_http::Area::Certifications`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    certify_app::serve::<{ certify_http::Area::Certifications as u8 }>().await
}
