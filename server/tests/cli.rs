//! The `patio` binary's subcommands, run as a user would.

use std::io::Write;
use std::process::{Command, Stdio};

fn patio(data: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_patio"))
        .arg("--data-dir")
        .arg(data)
        .args(["--demo", "false"])
        .args(args)
        .env("PATIO_CONFIG", data.join("none.toml"))
        .env_remove("PATIO_ADDR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn admin_create_reads_the_password_from_stdin_and_the_admin_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("none.toml"), "[patio]\n").unwrap();
    let out = patio(
        dir.path(),
        &[
            "admin",
            "create",
            "--tenant",
            "Example Corp",
            "--user-name",
            "Root@Example.com",
        ],
        "a-long-enough-password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Created cloud admin Root@Example.com in tenant \"Example Corp\"")
    );

    // Too short a password, and a duplicate, are refused with a message.
    let out = patio(
        dir.path(),
        &[
            "admin",
            "create",
            "--tenant",
            "Example Corp",
            "--user-name",
            "x@example.com",
        ],
        "short\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12 characters"));
    let out = patio(
        dir.path(),
        &[
            "admin",
            "create",
            "--tenant",
            "Example Corp",
            "--user-name",
            "root@example.com",
        ],
        "another-long-password\n",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    // The new admin's password works (then enrollment follows), and no demo data was made.
    let key = patio_service::ServerKey::load_or_create(&dir.path().join("secret.key")).unwrap();
    let services = patio_server::open_services(
        &format!("sqlite://{}", dir.path().join("patio.db").display()),
        key,
        std::sync::Arc::new(patio_service::SystemClock),
        Default::default(),
    )
    .await
    .unwrap();
    let check = services
        .check_password("root@example.com", "a-long-enough-password", None)
        .await
        .unwrap();
    assert!(matches!(
        check,
        patio_service::auth::PasswordCheck::Accepted {
            needs_enrollment: true,
            ..
        }
    ));
    assert_eq!(services.tenant_count().await.unwrap(), 1);
}

#[test]
fn seed_demo_is_idempotent_and_help_documents_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("none.toml"), "[patio]\n").unwrap();
    let first = patio(dir.path(), &["seed", "--demo"], "");
    assert!(String::from_utf8_lossy(&first.stdout).contains("Seeded tenant \"Acme Analytics\""));
    let again = patio(dir.path(), &["seed", "--demo"], "");
    assert!(String::from_utf8_lossy(&again.stdout).contains("already exists"));
    let help = patio(dir.path(), &["--help"], "");
    let text = String::from_utf8_lossy(&help.stdout);
    for s in [
        "PATIO_ADDR",
        "PATIO_DATA_DIR",
        "PATIO_DATABASE_URL",
        "PATIO_COOKIE_SECURE",
        "PATIO_DEMO",
        "--site-root",
        "Leptos.toml",
    ] {
        assert!(text.contains(s), "{s} in --help");
    }
}
