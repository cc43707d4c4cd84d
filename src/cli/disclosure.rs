//! The `--mask-preset` / `--unmasked` / `--role` options the exporting
//! subcommands share: personal data is masked in every file unless asked
//! otherwise, and a file made for a role holds only what that role may see.

use super::mask::load_key;
use crate::engine::error::AnalysisError;
use crate::engine::ingest::fields::SourceKind;
use crate::engine::privacy::mask::MaskPreset;
use crate::engine::privacy::roles::{Role, Visibility};
use crate::engine::privacy::scope::Scope;
use crate::engine::privacy::share::Disclosure;
use anyhow::{anyhow, Context, Result};
use std::path::PathBuf;

/// How personal data appears in the files written, and for whom.
#[derive(clap::Args, Debug, Clone)]
pub struct DisclosureArgs {
    /// How names, phones, ID numbers, e-mails, cards and addresses are masked: light, standard or strict.
    #[arg(long = "mask-preset", default_value = "standard")]
    mask_preset: String,
    /// Write personal data as it is, unmasked (only for people allowed to see it).
    #[arg(long)]
    unmasked: bool,
    /// Write only what this role may see: admin, sales, marketing or service (default: everything).
    #[arg(long)]
    role: Option<String>,
    /// What each role sees, as saved from the page (JSON; default: the built-in roles).
    #[arg(long, requires = "role")]
    visibility: Option<PathBuf>,
    /// File holding the pseudonym key, for roles that see ids as pseudonyms
    /// (else the CUSTLENS_HMAC_KEY environment variable; never the command line).
    #[arg(long = "key-file", requires = "role")]
    key_file: Option<PathBuf>,
}

impl DisclosureArgs {
    /// The disclosure asked for.
    pub fn disclosure(&self) -> Result<Disclosure> {
        let d = if self.unmasked {
            Disclosure::raw()
        } else {
            let preset = MaskPreset::from_key(&self.mask_preset)
                .ok_or_else(|| anyhow!("--mask-preset {}: use light, standard or strict", self.mask_preset))?;
            Disclosure::masked(preset.policy())
        };
        let Some((role, visibility)) = self.audience()? else { return Ok(d) };
        if self.unmasked && !role.may_show_raw() {
            return Err(anyhow!("--unmasked: the role {} may not see raw values", role.key()));
        }
        let access = visibility.of(role);
        let key = if access.uses_pseudonyms() { Some(load_key(self.key_file.as_deref())?) } else { None };
        Ok(d.with_scope(Scope { access, key, ..Scope::everything() }))
    }

    /// Fails when `--role` may not see what an analysis of `kinds` reads.
    pub fn may_analyse(&self, kinds: &[SourceKind]) -> Result<()> {
        match self.audience()? {
            Some((role, v)) if !v.of(role).may_analyse(kinds) => {
                Err(anyhow!("--role {}: {}", role.key(), AnalysisError::NotForRole { role }))
            }
            _ => Ok(()),
        }
    }

    /// The role asked for and what each role sees.
    fn audience(&self) -> Result<Option<(Role, Visibility)>> {
        let Some(role) = &self.role else { return Ok(None) };
        let role =
            Role::from_key(role).ok_or_else(|| anyhow!("--role {role}: use admin, sales, marketing or service"))?;
        let visibility: Visibility = match &self.visibility {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
                serde_json::from_str(&text).with_context(|| format!("{}: not a visibility file", path.display()))?
            }
            None => Visibility::default(),
        };
        Ok(Some((role, visibility)))
    }
}
