//! Running the built `entitle` binary against a data directory in a temp dir.
#![allow(dead_code)]

use std::process::Command;

pub struct Env {
    pub dir: tempfile::TempDir,
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Env {
    pub fn new() -> Self {
        Env { dir: tempfile::tempdir().expect("a temp dir") }
    }

    /// A fresh empty tenant with admin@contoso.com as its administrator.
    pub fn empty() -> Self {
        let env = Env::new();
        let out = env.ok(&["init", "--empty", "--admin", "admin@contoso.com"]);
        assert!(out.contains("Created an empty tenant"), "{out}");
        env
    }

    pub fn data(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn run(&self, args: &[&str]) -> Out {
        self.run_with(args, &[])
    }

    /// Runs with extra environment variables (e.g. `ENTITLE_LOGIN`, the login of who runs it).
    pub fn run_with(&self, args: &[&str], envs: &[(&str, &str)]) -> Out {
        let out = Command::new(env!("CARGO_BIN_EXE_entitle"))
            .arg("--data")
            .arg(self.dir.path())
            .args(args)
            .env_remove("ENTITLE_DATA")
            .env_remove("ENTITLE_LOGIN")
            .envs(envs.iter().copied())
            .output()
            .expect("entitle runs");
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.code, 0, "entitle {args:?} failed:\n{}{}", out.stdout, out.stderr);
        out.stdout
    }

    /// Runs and expects the exit code; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.code, code, "entitle {args:?}: expected exit {code}:\n{}{}", out.stdout, out.stderr);
        out.stderr
    }

    /// Runs with --json and parses stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let text = self.ok(&all);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("entitle {args:?}: not JSON ({e}):\n{text}"))
    }

    /// Runs a command that creates something and returns the new id, with its prefix (`req14`),
    /// from the typed reference the JSON gives (`"created": {"request": 14}`).
    pub fn created(&self, args: &[&str]) -> String {
        let v = self.json(args);
        created_id(&v["created"]).unwrap_or_else(|| panic!("entitle {args:?} created nothing: {v}"))
    }
}

/// A typed reference (`{"request": 14}`) as the id the CLI takes (`req14`).
pub fn created_id(v: &serde_json::Value) -> Option<String> {
    let (kind, id) = v.as_object().filter(|o| o.len() == 1)?.iter().next()?;
    let prefix = match kind.as_str() {
        "user" => "u",
        "resource" => "res",
        "org" => "org",
        "catalog" => "cat",
        "package" => "pk",
        "policy" => "pol",
        "request" => "req",
        "assignment" => "asg",
        "review" => "rev",
        "extension" => "ext",
        _ => return None,
    };
    Some(format!("{prefix}{}", id.as_u64()?))
}

/// The values of `key` in a JSON array of objects (ids are numbers in the domain's JSON).
pub fn column(v: &serde_json::Value, key: &str) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|x| x[key].as_str().map(str::to_string).unwrap_or_else(|| x[key].to_string())).collect())
        .unwrap_or_default()
}

/// `--as WHO` followed by the arguments.
pub fn with<'a>(who: &[&'a str], args: &[&'a str]) -> Vec<&'a str> {
    [who, args].concat()
}
