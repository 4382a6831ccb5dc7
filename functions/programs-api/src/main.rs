//! The programs API function (see `certify_http::Area::Programs`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    certify_app::serve::<{ certify_http::Area::Programs as u8 }>().await
}
