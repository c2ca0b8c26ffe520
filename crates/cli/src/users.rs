//! `protokol user …`: accounts and roles from the command line. The first administrator is
//! made here; there is no default password anywhere.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use protokol_core::{Account, Grant, Role};
use protokol_store::RoleChange;

use crate::Global;
use crate::commands::{find_body, open_store};

/// Who the change log names for changes made on the command line.
const ACTOR: &str = "cli";

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account. The password is asked for twice (or read from stdin with
    /// --password-stdin).
    ///
    /// Example, the first administrator: protokol user add admin --name "Anne Admin"
    /// --administrator
    Add {
        /// What the person signs in with: letters, digits, '.', '-', '_', '@'.
        username: String,
        /// The name shown on pages and signature lists.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Make the account an administrator (may do everything).
        #[arg(long)]
        administrator: bool,
        /// Read the password from the first line of stdin instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password; the account's sessions end.
    Passwd {
        username: String,
        /// Read the password from the first line of stdin instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give an account a role: administrator, or secretary/member of a body.
    ///
    /// Example: protokol user grant lene member --body DIR
    Grant {
        username: String,
        /// administrator, secretary or member.
        role: String,
        /// The body (code or name) for secretary and member.
        #[arg(long, value_name = "BODY")]
        body: Option<String>,
    },
    /// Take a role away; the account's sessions end.
    Revoke {
        username: String,
        /// administrator, secretary or member.
        role: String,
        /// The body (code or name) for secretary and member.
        #[arg(long, value_name = "BODY")]
        body: Option<String>,
    },
    /// List the accounts and their roles.
    List,
}

fn read_password(from_stdin: bool) -> Result<String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        if !std::io::stdin().is_terminal() {
            bail!("no terminal to ask for the password on: use --password-stdin");
        }
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Password again: ")?;
        if first != second {
            bail!("the two passwords differ; nothing was changed");
        }
        first
    };
    if password.is_empty() {
        bail!("the password is empty; nothing was changed");
    }
    Ok(password)
}

fn describe(a: &Account) -> String {
    let mut roles: Vec<String> = Vec::new();
    if a.administrator {
        roles.push("administrator".into());
    }
    roles.extend(a.grants.iter().map(|g| format!("{} of {}", g.role, g.body)));
    format!(
        "{}{}: {}",
        a.username,
        a.display_name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default(),
        if roles.is_empty() {
            "no roles".to_string()
        } else {
            roles.join(", ")
        }
    )
}

async fn role_change(
    store: &protokol_store::Store,
    role: &str,
    body: Option<&str>,
) -> Result<RoleChange> {
    if role.trim().eq_ignore_ascii_case("administrator") {
        if body.is_some() {
            bail!("administrator is not per body: leave out --body");
        }
        return Ok(RoleChange::Administrator);
    }
    let role: Role = role.parse().map_err(anyhow::Error::msg)?;
    let body = body.with_context(|| format!("{role} is a role in a body: add --body CODE"))?;
    let body = find_body(store, body).await?;
    Ok(RoleChange::InBody(Grant {
        body: body.code,
        role,
    }))
}

/// Grants (`on`) or revokes a role and prints the account's roles.
async fn set_role(
    store: &protokol_store::Store,
    username: &str,
    role: &str,
    body: Option<&str>,
    on: bool,
) -> Result<ExitCode> {
    let change = role_change(store, role, body).await?;
    let username = protokol_core::normalise_username(username).map_err(anyhow::Error::msg)?;
    let account = store.set_role(&username, &change, on, ACTOR).await?;
    println!("{}", describe(&account));
    Ok(ExitCode::SUCCESS)
}

pub async fn run(g: &Global, command: UserCommand) -> Result<ExitCode> {
    let store = open_store(g).await?;
    let result = match command {
        UserCommand::Add {
            username,
            name,
            administrator,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let mut account =
                protokol_auth::create_account(&store, &username, name.as_deref(), &password, ACTOR)
                    .await?;
            if administrator {
                account = store
                    .set_role(&account.username, &RoleChange::Administrator, true, ACTOR)
                    .await?;
            }
            println!("Created {}", describe(&account));
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            protokol_auth::change_password(&store, &username, &password, ACTOR).await?;
            println!("Password changed for {username}; its sessions have ended.");
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Grant {
            username,
            role,
            body,
        } => set_role(&store, &username, &role, body.as_deref(), true).await,
        UserCommand::Revoke {
            username,
            role,
            body,
        } => set_role(&store, &username, &role, body.as_deref(), false).await,
        UserCommand::List => {
            let accounts = store.accounts().await?;
            if accounts.is_empty() {
                println!(
                    "No accounts yet. Create the first administrator with: protokol user add NAME --administrator"
                );
            }
            for a in accounts {
                println!("{}", describe(&a));
            }
            Ok(ExitCode::SUCCESS)
        }
    };
    store.close().await;
    result
}
