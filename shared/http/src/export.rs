//! The exports (SPEC 1.16), the pipeline's and the registry's alike: rows written as RFC
//! 4180 CSV ([`Csv`]), the file written to the files bucket under `exports/` (any size;
//! kept a day) and answered with 303 to a short-lived link ([`exported`]).

use certify_blobs::{export_key, FileKind};

use crate::certificates::LINK_LIFETIME;
use crate::respond::SeeOther;
use crate::{ApiError, Deps};

/// A cell a spreadsheet would run as a formula is prefixed with `'`.
pub(crate) fn neutralised(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// An export's rows as RFC 4180 CSV (CRLF line ends), under a header; every cell
/// [`neutralised`].
pub(crate) struct Csv(csv::Writer<Vec<u8>>);

impl Csv {
    pub(crate) fn with_header(header: &[&str]) -> anyhow::Result<Csv> {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        out.write_record(header)?;
        Ok(Csv(out))
    }

    pub(crate) fn row(&mut self, cells: &[&str]) -> anyhow::Result<()> {
        Ok(self.0.write_record(cells.iter().map(|cell| neutralised(cell)))?)
    }

    pub(crate) fn into_bytes(self) -> anyhow::Result<Vec<u8>> {
        Ok(self.0.into_inner()?)
    }
}

/// An export: the CSV written to the files bucket under `exports/` (any size; kept a
/// day) and answered with 303 to a short-lived link (SPEC 1.16).
pub(crate) async fn exported(deps: &Deps, ws: &str, name: &str, csv: Csv) -> Result<SeeOther, ApiError> {
    let body = csv.into_bytes().map_err(ApiError::internal)?;
    let key = export_key(ws, &crate::new_id(), name);
    deps.blobs.put(&key, body, FileKind::Csv.content_type()).await?;
    let link = deps.blobs.presigned_get(&key, LINK_LIFETIME).await?;
    Ok(SeeOther(link))
}
