//! `patio`: serve, seed, and manage cloud administrators.

use clap::Parser;
use patio_server::config::{self, AdminCommand, Cli, Command, Settings};
use patio_server::{AppState, leptos_options, open_services, router, session_store};
use patio_service::seed::{DEMO_PASSWORD, NewAdmin};
use patio_service::{ServerKey, Services, SystemClock};
use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::session_store::ExpiredDeletion;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("patio: {e}");
        std::process::exit(1);
    }
}

async fn services_for(settings: &Settings) -> patio_server::anyhow_like::Result<Services> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
        format!(
            "cannot create data directory {}: {e}",
            settings.data_dir.display()
        )
    })?;
    let key = ServerKey::load_or_create(&settings.key_path())
        .map_err(|e| format!("server key {}: {e}", settings.key_path().display()))?;
    let sso = patio_service::oidc::SsoSettings {
        public_url: settings.public_url.clone(),
        // The stand-in identity provider is part of the sandbox (demo mode).
        standin_enabled: settings.demo,
    };
    open_services(&settings.database_url, key, Arc::new(SystemClock), sso).await
}

async fn run(cli: Cli) -> patio_server::anyhow_like::Result<()> {
    let settings = config::resolve(&cli.settings)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Seed { demo } => {
            if !demo {
                return Err("nothing to seed: pass --demo".into());
            }
            let services = services_for(&settings).await?;
            match services.seed_demo().await? {
                Some(s) => println!(
                    "Seeded tenant {:?} with sites {:?} and cloud admins {:?} (password {DEMO_PASSWORD:?}).",
                    s.tenant_name, s.sites, s.admins
                ),
                None => println!("The demo tenant already exists; nothing changed."),
            }
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    tenant,
                    user_name,
                    email,
                    display_name,
                },
        } => {
            let password = read_password()?;
            let services = services_for(&settings).await?;
            let id = services
                .create_cloud_admin(NewAdmin {
                    tenant_name: tenant,
                    email: email.unwrap_or_else(|| user_name.clone()),
                    display_name: display_name.unwrap_or_else(|| user_name.clone()),
                    user_name,
                    password,
                })
                .await?;
            println!(
                "Created cloud admin {} in tenant {:?} (user id {}). They enroll an authenticator at first sign-in.",
                id.user_name, id.tenant_name, id.user_id
            );
            Ok(())
        }
    }
}

/// From standard input when piped (first line), otherwise asked twice on the terminal.
fn read_password() -> patio_server::anyhow_like::Result<String> {
    if std::io::stdin().is_terminal() {
        let a = rpassword::prompt_password("Password: ")?;
        let b = rpassword::prompt_password("Repeat password: ")?;
        if a != b {
            return Err("the passwords do not match".into());
        }
        Ok(a)
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s.lines().next().unwrap_or("").to_owned())
    }
}

async fn serve(settings: Settings) -> patio_server::anyhow_like::Result<()> {
    let services = services_for(&settings).await?;
    if settings.demo {
        if let Some(s) = services.seed_demo().await? {
            tracing::info!(
                "seeded demo tenant {:?} (sites {:?})",
                s.tenant_name,
                s.sites
            );
        }
    }
    let store = session_store(&services).await?;
    let cleanup = tokio::spawn(
        store
            .clone()
            .continuously_delete_expired(tokio::time::Duration::from_secs(60)),
    );
    let site_root = settings.site_root.to_string_lossy().into_owned();
    if !settings.site_root.join("pkg").join("patio.wasm").exists() {
        tracing::warn!(
            "{}/pkg/patio.wasm is missing: pages will render but not hydrate (build with scripts/build)",
            site_root
        );
    }
    let state = AppState {
        leptos_options: leptos_options(&site_root, settings.addr),
        services,
    };
    let app = router(state, store, settings.cookie_secure);
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.addr))?;
    println!("Patio is serving http://{}", settings.addr);
    if settings.demo {
        println!(
            "Demo mode: sign in as {} (or {}) with password {DEMO_PASSWORD}",
            patio_service::seed::DEMO_ADMIN,
            patio_service::seed::DEMO_SECOND_ADMIN
        );
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    cleanup.abort();
    Ok(())
}
