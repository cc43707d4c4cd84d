//! A saved workspace: the files the user imported (as they were), the kind
//! each was read as, the identity decisions, the masking preset, marks,
//! recipes, what each role sees, the tag definitions (saved customer lists
//! included), the RFM editor's settings ([`RfmSettings`]) and the pseudonym
//! key — put in one byte string and sealed with a passphrase ([`crate::engine::privacy::vault`]).
//!
//! Layout of the plaintext: `CLWS` + a little-endian `u32` manifest length +
//! the manifest as JSON (format version, files with name, kind and size,
//! settings) + the files' bytes one after another, in manifest order. Opening
//! checks every size against the bytes present, so a file that decrypts but
//! does not add up is refused whole: nothing is half-loaded.

use crate::engine::analyze::rfm::{RfmError, RfmParams};
use crate::engine::clean::recipe::Recipe;
use crate::engine::ingest::fields::{Field, SourceKind};
use crate::engine::privacy::mask::MaskPreset;
use crate::engine::privacy::pseudonym::KEY_LEN;
use crate::engine::privacy::roles::Visibility;
use crate::engine::privacy::share::PersonalMarks;
use crate::engine::privacy::small_cell::SmallCellParams;
use crate::engine::privacy::vault::{self, KdfParams, VaultError, NONCE_LEN, SALT_LEN};
use crate::engine::unify::UnifyOptions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The plaintext's first bytes.
const MAGIC: &[u8; 4] = b"CLWS";
/// The manifest format this build writes and reads.
pub const WORKSPACE_VERSION: u32 = 1;

/// One imported file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceFile {
    /// File name as imported.
    pub name: String,
    /// The kind it was read as.
    pub kind: SourceKind,
    /// Its bytes, unchanged.
    pub bytes: Vec<u8>,
    /// The columns the user chose for fields (field → header); the rest are mapped automatically.
    pub columns: Vec<(Field, String)>,
}

/// Everything a workspace holds.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Workspace {
    /// The imported files, in the order they were added.
    pub files: Vec<WorkspaceFile>,
    /// Merges confirmed and matches undone.
    pub unify: UnifyOptions,
    /// How personal data is masked.
    pub mask_preset: MaskPreset,
    /// The user's personal-data marks.
    pub marks: PersonalMarks,
    /// The user's cleaning recipes by kind (kinds without one use the default).
    pub recipes: BTreeMap<SourceKind, Recipe>,
    /// What each role sees.
    pub visibility: Visibility,
    /// Small groups in exported reports.
    pub small_cells: Option<SmallCellParams>,
    /// The workspace's pseudonym key (only ever stored sealed), so tokens
    /// stay the same when it is reopened.
    pub pseudonym_key: Option<[u8; KEY_LEN]>,
    /// The tag definitions (a `tags.json` list; tags of saved customer lists
    /// hold raw ids, kept only sealed); `None` in workspaces saved without them.
    pub tags_json: Option<String>,
    /// The RFM editor's settings; `None` in workspaces saved without them.
    pub rfm: Option<RfmSettings>,
}

/// The RFM editor's settings a workspace keeps: the parameters (breakpoints,
/// 0–100 score weights, preset or the user's segment rules) and the
/// suggested actions the user wrote, by segment key. The snapshot date is not
/// kept: it belongs to the orders file scored (by default the day after its
/// last order).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RfmSettings {
    /// The RFM parameters (no snapshot).
    pub params: RfmParams,
    /// The user's suggested actions by segment key.
    #[serde(default)]
    pub actions: BTreeMap<String, String>,
}

/// Why RFM settings cannot be kept or restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum RfmSettingsError {
    /// The parameters do not pass [`RfmParams::check`].
    #[error(transparent)]
    Params(#[from] RfmError),
    /// A suggested action is filed under a blank segment key.
    #[error("a suggested action has a blank segment key")]
    BlankActionKey,
}

impl RfmSettings {
    /// The settings of `params` (its snapshot dropped) and `actions`, checked.
    pub fn new(params: RfmParams, actions: BTreeMap<String, String>) -> Result<RfmSettings, RfmSettingsError> {
        let s = RfmSettings { params: RfmParams { snapshot: None, ..params }, actions };
        s.check()?;
        Ok(s)
    }

    /// The parameters are valid and every action names a segment.
    pub fn check(&self) -> Result<(), RfmSettingsError> {
        self.params.check()?;
        if self.actions.keys().any(|k| k.trim().is_empty()) {
            return Err(RfmSettingsError::BlankActionKey);
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    version: u32,
    files: Vec<FileEntry>,
    unify: UnifyOptions,
    mask_preset: MaskPreset,
    #[serde(default)]
    marks: PersonalMarks,
    #[serde(default)]
    recipes: BTreeMap<SourceKind, Recipe>,
    #[serde(default)]
    visibility: Visibility,
    #[serde(default)]
    small_cells: Option<SmallCellParams>,
    /// Hex.
    #[serde(default)]
    pseudonym_key: Option<String>,
    #[serde(default)]
    tags_json: Option<String>,
    #[serde(default)]
    rfm: Option<RfmSettings>,
}

#[derive(Serialize, Deserialize)]
struct FileEntry {
    name: String,
    kind: SourceKind,
    size: u64,
    #[serde(default)]
    columns: Vec<(Field, String)>,
}

/// Why a decrypted workspace could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum WorkspaceError {
    /// Opening the sealed file failed (wrong passphrase, altered, truncated…).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The content is not a workspace this build can read.
    #[error("the workspace content is not readable: {0}")]
    Malformed(String),
    /// The RFM settings it keeps are not valid.
    #[error("the workspace's RFM settings are not valid: {0}")]
    Rfm(#[from] RfmSettingsError),
}

impl Workspace {
    /// The plaintext bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let manifest = Manifest {
            version: WORKSPACE_VERSION,
            files: self
                .files
                .iter()
                .map(|f| FileEntry {
                    name: f.name.clone(),
                    kind: f.kind,
                    size: f.bytes.len() as u64,
                    columns: f.columns.clone(),
                })
                .collect(),
            unify: self.unify.clone(),
            mask_preset: self.mask_preset,
            marks: self.marks.clone(),
            recipes: self.recipes.clone(),
            visibility: self.visibility.clone(),
            small_cells: self.small_cells,
            pseudonym_key: self.pseudonym_key.map(|k| k.iter().map(|b| format!("{b:02x}")).collect()),
            tags_json: self.tags_json.clone(),
            rfm: self.rfm.clone(),
        };
        let json = serde_json::to_vec(&manifest).unwrap_or_default();
        let total = 8 + json.len() + self.files.iter().map(|f| f.bytes.len()).sum::<usize>();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        for f in &self.files {
            out.extend_from_slice(&f.bytes);
        }
        out
    }

    /// Reads plaintext bytes; refuses anything that does not add up.
    pub fn from_bytes(b: &[u8]) -> Result<Workspace, WorkspaceError> {
        let bad = |m: &str| WorkspaceError::Malformed(m.to_string());
        if b.len() < 8 || &b[..4] != MAGIC {
            return Err(bad("no workspace header"));
        }
        let len = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
        let json = b.get(8..8 + len).ok_or_else(|| bad("the manifest is cut short"))?;
        let m: Manifest = serde_json::from_slice(json).map_err(|e| bad(&format!("manifest: {e}")))?;
        if m.version != WORKSPACE_VERSION {
            return Err(bad(&format!("manifest version {} (this build reads {WORKSPACE_VERSION})", m.version)));
        }
        let mut at = 8 + len;
        let mut files = Vec::with_capacity(m.files.len());
        for e in m.files {
            let end = usize::try_from(e.size).ok().and_then(|s| at.checked_add(s)).filter(|&end| end <= b.len());
            let end = end.ok_or_else(|| bad(&format!("{}: fewer bytes than the manifest says", e.name)))?;
            files.push(WorkspaceFile { name: e.name, kind: e.kind, bytes: b[at..end].to_vec(), columns: e.columns });
            at = end;
        }
        if at != b.len() {
            return Err(bad("bytes after the last file"));
        }
        let pseudonym_key = match &m.pseudonym_key {
            Some(hex) => Some(key_from_hex(hex).ok_or_else(|| bad("the pseudonym key is not 64 hex digits"))?),
            None => None,
        };
        let rfm = match m.rfm {
            Some(r) => Some(RfmSettings::new(r.params, r.actions)?),
            None => None,
        };
        Ok(Workspace {
            files,
            unify: m.unify,
            mask_preset: m.mask_preset,
            marks: m.marks,
            recipes: m.recipes,
            visibility: m.visibility,
            small_cells: m.small_cells,
            pseudonym_key,
            tags_json: m.tags_json,
            rfm,
        })
    }

    /// The sealed file: encrypted under `passphrase` (see the vault's format).
    pub fn seal(
        &self,
        passphrase: &[u8],
        salt: [u8; SALT_LEN],
        nonce: [u8; NONCE_LEN],
        params: KdfParams,
    ) -> Result<Vec<u8>, WorkspaceError> {
        Ok(vault::seal(&self.to_bytes(), passphrase, salt, nonce, params)?)
    }

    /// Opens a sealed file.
    pub fn open(sealed: &[u8], passphrase: &[u8]) -> Result<Workspace, WorkspaceError> {
        Workspace::from_bytes(&vault::open(sealed, passphrase)?)
    }
}

/// 32 bytes from 64 hex digits.
fn key_from_hex(hex: &str) -> Option<[u8; KEY_LEN]> {
    if hex.len() != 2 * KEY_LEN || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; KEY_LEN];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::rfm::{Measure, ScaleWeights, UserBreaks};
    use std::collections::BTreeSet;

    fn ws() -> Workspace {
        Workspace {
            files: vec![
                WorkspaceFile {
                    name: "客户.csv".into(),
                    kind: SourceKind::Customers,
                    bytes: "客户ID\nC1\n".into(),
                    columns: vec![(Field::Phone, "联系电话".into())],
                },
                WorkspaceFile {
                    name: "o.xlsx".into(),
                    kind: SourceKind::Orders,
                    bytes: vec![0, 1, 2, 255],
                    columns: vec![],
                },
                WorkspaceFile {
                    name: "empty.csv".into(),
                    kind: SourceKind::Events,
                    bytes: Vec::new(),
                    columns: vec![],
                },
            ],
            unify: UnifyOptions { undone: BTreeSet::from(["13800000001".to_string()]), ..UnifyOptions::default() },
            mask_preset: MaskPreset::Strict,
            marks: {
                let mut m = PersonalMarks::default();
                m.set("备注", Some(crate::engine::privacy::PersonalKind::Phone));
                m.set("联系人", None);
                m
            },
            recipes: BTreeMap::from([(
                SourceKind::Customers,
                Recipe { steps: vec![crate::engine::clean::recipe::Step::ExactDuplicates] },
            )]),
            visibility: {
                let mut v = Visibility::default();
                v.set(
                    crate::engine::privacy::roles::Role::Service,
                    Some(Field::Amount),
                    crate::engine::privacy::roles::Access::Shown,
                );
                v
            },
            small_cells: Some(SmallCellParams::default()),
            pseudonym_key: Some([0xa5; KEY_LEN]),
            tags_json: Some(
                crate::engine::analyze::tags::TagSet::new(vec![crate::engine::analyze::tags::list_tag(
                    "回购名单",
                    crate::engine::analyze::tags::Dimension::Behaviour,
                    crate::engine::analyze::tags::Level::Secondary,
                    ["C2".to_string(), "C1".to_string()],
                )])
                .expect("tag")
                .to_json(),
            ),
            rfm: Some(rfm_settings()),
        }
    }

    /// Breakpoints for R and M, the 0–100 score, the user's rules and an edited action.
    fn rfm_settings() -> RfmSettings {
        let rules = crate::engine::analyze::segment::SegmentRules::from_json(
            r#"{"rules":[{"name":"顶级","when":{"score100":{"min":85}},"action":"专属客服"},
                {"name":"活跃","when":{"r":{"min":4},"f":{"min":3}}}],"other":{"name":"其他"}}"#,
        )
        .expect("rules");
        let params = RfmParams {
            snapshot: Some(crate::engine::date::Day::parse_iso("2024-06-30").expect("day")),
            breaks: UserBreaks {
                recency: Some([30.0, 60.0, 90.0, 180.0]),
                monetary: Some([100.0, 500.5, 1000.0, 3000.0]),
                ..UserBreaks::default()
            },
            scale100: Some(ScaleWeights { r: 0.5, f: 0.3, m: 0.2 }),
            rules: Some(rules),
            ..RfmParams::default()
        };
        let actions = BTreeMap::from([("活跃".to_string(), "每周推送新品".to_string())]);
        RfmSettings::new(params, actions).expect("valid settings")
    }

    /// The plaintext with its manifest changed by `edit` (the files' bytes kept).
    fn with_manifest(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
        let len = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let mut m: serde_json::Value = serde_json::from_slice(&bytes[8..8 + len]).expect("manifest");
        edit(&mut m);
        let json = serde_json::to_vec(&m).expect("json");
        let mut b = b"CLWS".to_vec();
        b.extend_from_slice(&(json.len() as u32).to_le_bytes());
        b.extend_from_slice(&json);
        b.extend_from_slice(&bytes[8 + len..]);
        b
    }

    #[test]
    fn rfm_settings_are_kept_and_older_workspaces_have_none() {
        let w = ws();
        let back = Workspace::from_bytes(&w.to_bytes()).expect("round trip");
        let rfm = back.rfm.as_ref().expect("rfm settings kept");
        assert_eq!(rfm.params.breaks.recency, Some([30.0, 60.0, 90.0, 180.0]));
        assert_eq!(rfm.params.breaks.frequency, None);
        assert_eq!(rfm.params.breaks.monetary, Some([100.0, 500.5, 1000.0, 3000.0]));
        assert_eq!(rfm.params.scale100, Some(ScaleWeights { r: 0.5, f: 0.3, m: 0.2 }));
        let names: Vec<String> = rfm.params.segmentation().rules.iter().map(|r| r.name.clone()).collect();
        assert_eq!(names, ["顶级", "活跃"]);
        assert_eq!(rfm.actions.get("活跃").map(String::as_str), Some("每周推送新品"));
        assert_eq!(rfm.params.snapshot, None, "the snapshot belongs to the file scored, not the workspace");
        // The sealed file keeps them too.
        let sealed = w.seal(b"correct horse", [1; SALT_LEN], [2; NONCE_LEN], fast()).expect("seal");
        assert_eq!(Workspace::open(&sealed, b"correct horse").expect("open").rfm, w.rfm);
        // A manifest written before RFM settings were kept (no `rfm` key) opens without them.
        let old = with_manifest(&w.to_bytes(), |m| {
            m.as_object_mut().expect("object").remove("rfm");
        });
        assert!(!String::from_utf8_lossy(&old).contains("\"rfm\""));
        assert_eq!(Workspace::from_bytes(&old), Ok(Workspace { rfm: None, ..w }));
    }

    #[test]
    fn rfm_settings_that_are_not_valid_are_refused() {
        let b = ws().to_bytes();
        // Breakpoints not ascending.
        let descending =
            with_manifest(&b, |m| m["rfm"]["params"]["breaks"]["frequency"] = serde_json::json!([3, 2, 1, 0]));
        assert!(matches!(
            Workspace::from_bytes(&descending),
            Err(WorkspaceError::Rfm(RfmSettingsError::Params(RfmError::Breaks { measure: Measure::Frequency, .. })))
        ));
        // Weights that do not add up to 1.
        let weights = with_manifest(&b, |m| m["rfm"]["params"]["scale100"]["r"] = serde_json::json!(0.9));
        assert!(matches!(
            Workspace::from_bytes(&weights),
            Err(WorkspaceError::Rfm(RfmSettingsError::Params(RfmError::Weights { .. })))
        ));
        // Rules reading the 0–100 score without it.
        let unscaled = with_manifest(&b, |m| m["rfm"]["params"]["scale100"] = serde_json::Value::Null);
        assert!(matches!(
            Workspace::from_bytes(&unscaled),
            Err(WorkspaceError::Rfm(RfmSettingsError::Params(RfmError::Rules(_))))
        ));
        // An action under a blank segment key.
        let blank = with_manifest(&b, |m| m["rfm"]["actions"][" "] = serde_json::json!("x"));
        assert_eq!(Workspace::from_bytes(&blank), Err(WorkspaceError::Rfm(RfmSettingsError::BlankActionKey)));
        // Not RFM parameters at all.
        let garbled = with_manifest(&b, |m| m["rfm"]["params"]["breaks"] = serde_json::json!("30,60"));
        assert!(matches!(Workspace::from_bytes(&garbled), Err(WorkspaceError::Malformed(_))));
        // A snapshot written into the manifest is not restored.
        let dated = with_manifest(&b, |m| m["rfm"]["params"]["snapshot"] = serde_json::json!(19_900));
        let back = Workspace::from_bytes(&dated).expect("opens");
        assert_eq!(back.rfm.map(|r| r.params.snapshot), Some(None));
        // The same checks refuse such settings before they are saved.
        let bad = RfmParams { scale100: Some(ScaleWeights { r: f64::NAN, f: 0.5, m: 0.5 }), ..RfmParams::default() };
        assert!(matches!(
            RfmSettings::new(bad, BTreeMap::new()),
            Err(RfmSettingsError::Params(RfmError::Weights { .. }))
        ));
    }

    #[test]
    fn tags_are_kept_and_older_workspaces_have_none() {
        let w = ws();
        let back = Workspace::from_bytes(&w.to_bytes()).expect("round trip");
        let set =
            crate::engine::analyze::tags::TagSet::from_json(back.tags_json.as_deref().unwrap_or("")).expect("tags");
        assert!(set.defs()[0].lists_ids() && set.defs()[0].listed_ids() == 2);
        // A manifest written before tags were kept (no `tags_json` key) opens without tags.
        let old = Workspace { tags_json: None, ..w };
        let bytes = old.to_bytes();
        let len = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let json = String::from_utf8(bytes[8..8 + len].to_vec()).expect("utf8").replace(",\"tags_json\":null", "");
        assert!(!json.contains("tags_json"));
        let mut b = b"CLWS".to_vec();
        b.extend_from_slice(&(json.len() as u32).to_le_bytes());
        b.extend_from_slice(json.as_bytes());
        b.extend_from_slice(&bytes[8 + len..]);
        assert_eq!(Workspace::from_bytes(&b), Ok(old));
    }

    fn fast() -> KdfParams {
        KdfParams::Pbkdf2Sha256 { iterations: 1_000 }
    }

    #[test]
    fn round_trips_plain_and_sealed() {
        let w = ws();
        assert_eq!(Workspace::from_bytes(&w.to_bytes()), Ok(w.clone()));
        let sealed = w.seal(b"correct horse", [7; SALT_LEN], [9; NONCE_LEN], fast()).expect("seal");
        assert!(!sealed.windows(6).any(|x| x == "客户".as_bytes()), "nothing readable in the sealed file");
        assert_eq!(Workspace::open(&sealed, b"correct horse"), Ok(w));
        assert_eq!(Workspace::open(&sealed, b"wrong"), Err(WorkspaceError::Vault(VaultError::WrongPassphrase)));
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(Workspace::open(&altered, b"correct horse"), Err(WorkspaceError::Vault(VaultError::Tampered)));
        assert!(matches!(
            Workspace::open(&sealed[..40], b"correct horse"),
            Err(WorkspaceError::Vault(VaultError::Truncated { .. }))
        ));
    }

    #[test]
    fn content_that_does_not_add_up_is_refused_whole() {
        let b = ws().to_bytes();
        assert!(matches!(Workspace::from_bytes(&b[..b.len() - 1]), Err(WorkspaceError::Malformed(_))));
        let mut longer = b.clone();
        longer.push(0);
        assert!(matches!(Workspace::from_bytes(&longer), Err(WorkspaceError::Malformed(_))));
        assert!(matches!(Workspace::from_bytes(b"CLWS\xff\xff\xff\xff{}"), Err(WorkspaceError::Malformed(_))));
        assert!(matches!(Workspace::from_bytes(b"nope"), Err(WorkspaceError::Malformed(_))));
    }
}
