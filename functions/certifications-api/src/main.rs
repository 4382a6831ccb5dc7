//! The certifications API function: the shared router behind API Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let deps = certify_app::deps_from_env().await?;
    lambda_http::run(certify_http::router(deps)).await
}
