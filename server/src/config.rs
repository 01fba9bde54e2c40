//! Runtime settings: `Leptos.toml` (table `[patio]`), overridden by environment variables,
//! overridden by command-line flags. clap handles flag-over-env; the file fills the rest.

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "patio",
    version,
    about = "Patio: a self-hosted re-creation of Tableau Cloud Manager and Tableau Cloud PATs",
    long_about = "Patio serves the TCM admin portal, the TCM REST API (/api/v1) and the Tableau \
REST API (/api/{version}).\n\nSettings come from Leptos.toml ([patio] table), overridden by the \
environment variables and flags below. With no subcommand, `patio` serves."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Default, Clone)]
pub struct SettingsArgs {
    /// Settings file.
    #[arg(
        long,
        env = "PATIO_CONFIG",
        default_value = "Leptos.toml",
        global = true
    )]
    pub config: PathBuf,
    /// Address to serve on [file: addr; default 127.0.0.1:3000].
    #[arg(long, env = "PATIO_ADDR", global = true)]
    pub addr: Option<SocketAddr>,
    /// Data directory for the database and the server key [file: data-dir; default data].
    #[arg(long, env = "PATIO_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL [file: database-url; default sqlite://<data-dir>/patio.db].
    #[arg(long, env = "PATIO_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Session cookie Secure flag [file: cookie-secure; default auto].
    #[arg(long, env = "PATIO_COOKIE_SECURE", value_enum, global = true)]
    pub cookie_secure: Option<CookieSecure>,
    /// Sandbox/demo mode: seed the demo tenant on first start [file: demo; default true].
    #[arg(long, env = "PATIO_DEMO", global = true)]
    pub demo: Option<bool>,
    /// Directory of the built site assets [file: site-root; default target/site].
    #[arg(long, env = "PATIO_SITE_ROOT", global = true)]
    pub site_root: Option<PathBuf>,
    /// URL browsers use to reach Patio: SSO redirect URIs and the stand-in identity provider's
    /// issuer [file: public-url; default http://<addr>].
    #[arg(long, env = "PATIO_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the portal and the APIs (the default).
    Serve,
    /// Seed data into the database.
    Seed {
        /// The "Acme Analytics" demo tenant (skipped if it exists).
        #[arg(long)]
        demo: bool,
    },
    /// Manage cloud administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a cloud administrator (Tableau with MFA). The password is read from standard
    /// input when it is not a terminal, otherwise asked for twice.
    Create {
        /// Tenant name; created if it does not exist.
        #[arg(long)]
        tenant: String,
        /// User name (usually an email address).
        #[arg(long)]
        user_name: String,
        /// Email address [default: the user name].
        #[arg(long)]
        email: Option<String>,
        /// Display name [default: the user name].
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CookieSecure {
    Auto,
    Always,
    Never,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FileSettings {
    addr: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    cookie_secure: Option<CookieSecure>,
    demo: Option<bool>,
    site_root: Option<PathBuf>,
    public_url: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct FileRoot {
    #[serde(default)]
    patio: FileSettings,
}

/// Settings after all layers are applied.
#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub cookie_secure: bool,
    pub demo: bool,
    pub site_root: PathBuf,
    pub public_url: String,
}

impl Settings {
    pub fn key_path(&self) -> PathBuf {
        self.data_dir.join("secret.key")
    }
}

fn read_file(path: &Path, explicit: bool) -> Result<FileSettings, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str::<FileRoot>(&text)
            .map(|r| r.patio)
            .map_err(|e| format!("{}: {e}", path.display())),
        // A missing default file is fine (built-in defaults); a missing named file is not.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            Ok(FileSettings::default())
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

pub fn resolve(args: &SettingsArgs) -> Result<Settings, String> {
    let explicit = args.config != Path::new("Leptos.toml");
    let file = read_file(&args.config, explicit)?;
    let addr = args
        .addr
        .or(file.addr)
        .unwrap_or_else(|| "127.0.0.1:3000".parse().unwrap());
    let data_dir = args
        .data_dir
        .clone()
        .or(file.data_dir)
        .unwrap_or_else(|| "data".into());
    let database_url = args
        .database_url
        .clone()
        .or(file.database_url)
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("patio.db").display()));
    if !database_url.starts_with("sqlite:") {
        return Err(format!(
            "database URL {database_url:?} is not supported: this build speaks sqlite: URLs (PostgreSQL support is planned)"
        ));
    }
    let cookie_secure = match args
        .cookie_secure
        .or(file.cookie_secure)
        .unwrap_or(CookieSecure::Auto)
    {
        CookieSecure::Always => true,
        CookieSecure::Never => false,
        // Patio itself serves plain http; off loopback it is expected behind a TLS proxy.
        CookieSecure::Auto => !addr.ip().is_loopback(),
    };
    let public_url = args
        .public_url
        .clone()
        .or(file.public_url)
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();
    if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
        return Err(format!(
            "public URL {public_url:?} must start with http:// or https://"
        ));
    }
    Ok(Settings {
        public_url,
        addr,
        data_dir,
        database_url,
        cookie_secure,
        demo: args.demo.or(file.demo).unwrap_or(true),
        site_root: args
            .site_root
            .clone()
            .or(file.site_root)
            .unwrap_or_else(|| "target/site".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args_with(config: &Path) -> SettingsArgs {
        SettingsArgs {
            config: config.to_owned(),
            ..Default::default()
        }
    }

    #[test]
    fn file_fills_defaults_and_flags_override_it() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.toml");
        std::fs::write(
            &f,
            "[patio]\naddr = \"0.0.0.0:8080\"\ndata-dir = \"/tmp/x\"\ndemo = false\n",
        )
        .unwrap();
        let s = resolve(&args_with(&f)).unwrap();
        assert_eq!(s.addr.to_string(), "0.0.0.0:8080");
        assert_eq!(s.database_url, "sqlite:///tmp/x/patio.db");
        assert!(!s.demo);
        assert!(s.cookie_secure, "auto is Secure off loopback");

        let mut a = args_with(&f);
        a.addr = Some("127.0.0.1:4000".parse().unwrap());
        a.demo = Some(true);
        let s = resolve(&a).unwrap();
        assert_eq!(s.addr.port(), 4000);
        assert!(s.demo);
        assert!(
            !s.cookie_secure,
            "auto is not Secure on plain-http loopback"
        );
    }

    #[test]
    fn unknown_keys_and_missing_named_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.toml");
        std::fs::write(&f, "[patio]\nadress = \"x\"\n").unwrap();
        assert!(
            resolve(&args_with(&f))
                .unwrap_err()
                .contains("unknown field")
        );
        assert!(resolve(&args_with(&dir.path().join("missing.toml"))).is_err());
    }

    #[test]
    fn the_shipped_leptos_toml_parses() {
        let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
        let s = resolve(&args_with(&f)).unwrap();
        assert_eq!(s.addr.to_string(), "127.0.0.1:3000");
        assert!(s.demo);
        assert_eq!(s.database_url, "sqlite://data/patio.db");
    }
}
