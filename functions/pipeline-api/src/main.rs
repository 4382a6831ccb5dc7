//! The pipeline API function (see `certify_http::Area::Pipeline`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    certify_app::serve::<{ certify_http::Area::Pipeline as u8 }>().await
}
