//! The `--mask-preset` / `--unmasked` options the exporting subcommands
//! share: personal data is masked in every file unless asked otherwise.

use crate::engine::privacy::mask::MaskPreset;
use crate::engine::privacy::share::Disclosure;
use anyhow::{anyhow, Result};

/// How personal data appears in the files written.
#[derive(clap::Args, Debug, Clone)]
pub struct DisclosureArgs {
    /// How names, phones, ID numbers, e-mails, cards and addresses are masked: light, standard or strict.
    #[arg(long = "mask-preset", default_value = "standard")]
    mask_preset: String,
    /// Write personal data as it is, unmasked (only for people allowed to see it).
    #[arg(long)]
    unmasked: bool,
}

impl DisclosureArgs {
    /// The disclosure asked for.
    pub fn disclosure(&self) -> Result<Disclosure> {
        if self.unmasked {
            return Ok(Disclosure::Raw);
        }
        let preset = MaskPreset::from_key(&self.mask_preset)
            .ok_or_else(|| anyhow!("--mask-preset {}: use light, standard or strict", self.mask_preset))?;
        Ok(Disclosure::masked(preset.policy()))
    }
}
