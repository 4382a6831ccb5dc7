//! The program-ended trigger (see `certify_trigger`): the EventBridge sweep, and the
//! direct `{"workspace_id", "program_id"}` event.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    certify_app::serve_trigger().await
}
