use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use crate::{check_key, check_lifetime, BlobError, BlobStore};

/// [`BlobStore`] on one S3 bucket; links are SigV4 presigned GETs.
#[derive(Clone, Debug)]
pub struct S3Blobs {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Blobs {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    /// An S3 client from the shared SDK configuration. Emulators such as moto need
    /// `force_path_style`: they cannot answer on `{bucket}.host` names.
    pub fn client_from(sdk_config: &SdkConfig, force_path_style: bool) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(sdk_config)
            .force_path_style(force_path_style)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        check_key(key)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .with_context(|| format!("S3 PutObject {key} in bucket {}", self.bucket))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        check_key(key)?;
        let output = match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(output) => output,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(err) => {
                return Err(anyhow::Error::new(err)
                    .context(format!("S3 GetObject {key} in bucket {}", self.bucket))
                    .into())
            }
        };
        let body = output
            .body
            .collect()
            .await
            .with_context(|| format!("reading S3 object {key} in bucket {}", self.bucket))?;
        Ok(Some(body.into_bytes().to_vec()))
    }

    async fn exists(&self, key: &str) -> Result<bool, BlobError> {
        check_key(key)?;
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(_) => Ok(true),
            // HEAD has no body, so S3 can only say 404: the SDK names that NotFound.
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(false),
            Err(err) => Err(anyhow::Error::new(err)
                .context(format!("S3 HeadObject {key} in bucket {}", self.bucket))
                .into()),
        }
    }

    async fn presigned_get(&self, key: &str, expires_in: Duration) -> Result<String, BlobError> {
        check_key(key)?;
        check_lifetime(expires_in)?;
        let presigning = PresigningConfig::expires_in(expires_in).context("S3 presigning configuration")?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(presigning)
            .await
            .with_context(|| format!("presigning S3 GetObject {key} in bucket {}", self.bucket))?;
        Ok(request.uri().to_owned())
    }
}
