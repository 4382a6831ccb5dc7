//! A bare `lambda_runtime` function: the yardstick `scripts/bench-cold-start` measures
//! Certify's functions against (what any Rust function pays to start and answer).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        |_: lambda_runtime::LambdaEvent<serde_json::Value>| async {
            Ok::<_, lambda_runtime::Error>(serde_json::json!({"statusCode": 200, "body": "hello"}))
        },
    ))
    .await
}
