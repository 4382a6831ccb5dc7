//! A certification's validity: how long its certificates last, and the expiry day it
//! gives a certificate issued on a day (SPEC 1.2).

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::field::{Invalid, Problems};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidityUnit {
    Days,
    Months,
    Years,
}

impl ValidityUnit {
    /// The largest count allowed for this unit (ten years, however counted).
    pub fn max_count(self) -> u32 {
        match self {
            ValidityUnit::Days => 3650,
            ValidityUnit::Months => 120,
            ValidityUnit::Years => 10,
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "days" => Some(ValidityUnit::Days),
            "months" => Some(ValidityUnit::Months),
            "years" => Some(ValidityUnit::Years),
            _ => None,
        }
    }
}

/// How long a certificate stays valid; only constructible within the SPEC's ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Validity {
    count: u32,
    unit: ValidityUnit,
}

impl Validity {
    pub fn new(count: u32, unit: ValidityUnit) -> Result<Self, Invalid> {
        if count == 0 || count > unit.max_count() {
            return Err(Invalid::one(
                "validity.count",
                format!("must be between 1 and {} for {:?}", unit.max_count(), unit).to_lowercase(),
            ));
        }
        Ok(Validity { count, unit })
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    pub fn unit(&self) -> ValidityUnit {
        self.unit
    }

    /// Issue date plus this validity in calendar arithmetic; months and years clamp to
    /// the month's last day (2024-01-31 + 1 month = 2024-02-29).
    pub fn expires_on(&self, issued_on: NaiveDate) -> NaiveDate {
        let later = match self.unit {
            ValidityUnit::Days => issued_on.checked_add_days(Days::new(self.count.into())),
            ValidityUnit::Months => issued_on.checked_add_months(Months::new(self.count)),
            ValidityUnit::Years => issued_on.checked_add_months(Months::new(self.count * 12)),
        };
        // At most ten years past a date chrono can hold: only dates near year 262,000 fail.
        later.unwrap_or(NaiveDate::MAX)
    }
}

/// The expiry of a certificate issued on `issued_on`; `None` never expires.
pub fn expires_on(issued_on: NaiveDate, validity: Option<&Validity>) -> Option<NaiveDate> {
    validity.map(|v| v.expires_on(issued_on))
}

/// `validity` as it arrives in a request body: checked field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidityInput {
    pub count: Option<i64>,
    pub unit: Option<String>,
}

impl ValidityInput {
    pub(super) fn parse(&self, p: &mut Problems) -> Option<Validity> {
        let unit = match self.unit.as_deref() {
            None => {
                p.add("validity.unit", "is required");
                None
            }
            Some(raw) => {
                let unit = ValidityUnit::parse(raw);
                if unit.is_none() {
                    p.add("validity.unit", "must be one of days, months, years");
                }
                unit
            }
        };
        let Some(count) = self.count else {
            p.add("validity.count", "is required");
            return None;
        };
        let unit = unit?;
        let max = i64::from(unit.max_count());
        if !(1..=max).contains(&count) {
            p.add(
                "validity.count",
                format!("must be between 1 and {max} {}", self.unit.as_deref().unwrap_or("")),
            );
            return None;
        }
        Validity::new(count as u32, unit).ok()
    }
}
