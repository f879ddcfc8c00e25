//! Building an S3 client: the standard AWS credential chain, a region that defaults to
//! the project's (eu-north-1), and an optional custom endpoint with path-style
//! addressing so the same code talks to AWS and to S3-compatible stores.

use std::fmt;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{Credentials, Region};

/// Region used when neither the environment nor the AWS profile names one: where the
/// project's bucket lives.
pub const DEFAULT_REGION: &str = "eu-north-1";

/// Environment variable naming a custom S3 endpoint (an S3-compatible store).
pub const ENDPOINT_ENV: &str = "VINOVOYANT_S3_ENDPOINT";

/// Fixed access keys, for S3-compatible stores and tests that do not use the AWS chain.
#[derive(Clone)]
pub struct StaticKeys {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key; never printed.
    pub secret_access_key: String,
}

impl fmt::Debug for StaticKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticKeys")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .finish()
    }
}

/// How to reach S3.
#[derive(Clone, Debug)]
pub struct S3Options {
    /// Custom endpoint (e.g. `http://127.0.0.1:9000`); path-style addressing is then used.
    pub endpoint: Option<String>,
    /// Region; from `AWS_REGION`, `AWS_DEFAULT_REGION`, the AWS profile or
    /// [`DEFAULT_REGION`] when `None`.
    pub region: Option<String>,
    /// Keys to use instead of the standard credential chain.
    pub keys: Option<StaticKeys>,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest time one attempt of a request may take.
    pub attempt_timeout: Duration,
    /// Attempts per request, retries included.
    pub max_attempts: u32,
}

impl Default for S3Options {
    fn default() -> Self {
        Self {
            endpoint: None,
            region: None,
            keys: None,
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(120),
            max_attempts: 3,
        }
    }
}

impl S3Options {
    /// Defaults, with the endpoint from `VINOVOYANT_S3_ENDPOINT` when it is set.
    pub fn from_env() -> Self {
        Self {
            endpoint: std::env::var(ENDPOINT_ENV)
                .ok()
                .filter(|e| !e.trim().is_empty()),
            ..Self::default()
        }
    }

    /// A client configured by these options.
    pub async fn connect(&self) -> Client {
        let region = match &self.region {
            Some(region) => RegionProviderChain::first_try(Region::new(region.clone())),
            None => RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
                .or_else(ProfileFileRegionProvider::new())
                .or_else(Region::new(DEFAULT_REGION)),
        };
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(region)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.connect_timeout)
                    .operation_attempt_timeout(self.attempt_timeout)
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(self.max_attempts.max(1)));
        if let Some(endpoint) = &self.endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        if let Some(keys) = &self.keys {
            loader = loader.credentials_provider(Credentials::new(
                keys.access_key_id.clone(),
                keys.secret_access_key.clone(),
                None,
                None,
                "vinovoyant-static-keys",
            ));
        }
        let shared = loader.load().await;
        let config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(self.endpoint.is_some())
            .build();
        Client::from_conf(config)
    }
}
