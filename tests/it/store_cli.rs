//! The store's refusals and warnings as the command line shows them: a lock held too long,
//! a dangling link where the data should be, a torn write, a bad `--lock-timeout`.

use crate::cli_support;

use std::fs;
use std::sync::mpsc;
use std::thread;

use cli_support::Env;
use entitle::domain::Tenant;
use entitle::store::Store;

/// The demo tenant (its clock is frozen, so nothing fires by itself).
fn demo() -> Env {
    let env = Env::new();
    env.ok(&["init", "--demo"]);
    env
}

#[test]
fn a_held_lock_makes_commands_wait_then_refuse_naming_the_holder() {
    let env = demo();
    let dir = env.data().to_owned();
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = thread::spawn(move || {
        let mut store = Store::<Tenant>::open(&dir).unwrap().unwrap();
        // A commit that stops inside the lock, as a process stopped with SIGSTOP would.
        let _ = store.commit(|t| {
            held_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            entitle::domain::Entry {
                at: t.clock.now,
                actor: entitle::domain::Actor::System,
                command: entitle::domain::Command::Tick,
            }
        });
    });
    held_rx.recv().unwrap();

    let me = std::process::id();
    let commands = [
        &["--lock-timeout", "0.3", "clock", "show"][..],
        &["--lock-timeout", "0", "clock", "advance", "1d"],
        &["--lock-timeout", "0", "init", "--empty"],
    ];
    for args in commands {
        let err = env.fails(args, 1);
        assert!(err.contains(&format!("process {me}")), "{args:?}: {err}");
        assert!(err.contains("nothing was done"), "{err}");
    }
    let err = env.fails(&["--lock-timeout", "soon", "clock", "show"], 2);
    assert!(err.contains("seconds from 0 to 3600"), "{err}");

    release_tx.send(()).unwrap();
    holder.join().unwrap();
    assert!(env.ok(&["--lock-timeout", "0", "clock", "show"]).contains("Tenant time"));
    let store = Store::<Tenant>::open(env.data()).unwrap().unwrap();
    assert_eq!(store.state().display_name, "Contoso", "the refused init changed nothing");
}

#[cfg(unix)]
#[test]
fn a_dangling_link_at_the_snapshot_is_refused_not_replaced_by_the_demo() {
    let env = Env::new();
    let snapshot = env.data().join("tenant.json");
    std::os::unix::fs::symlink(env.data().join("moved-away.json"), &snapshot).unwrap();
    let err = env.fails(&["clock", "show"], 1);
    assert!(err.contains("tenant.json") && err.contains("does not exist"), "{err}");
    assert!(fs::symlink_metadata(&snapshot).unwrap().file_type().is_symlink());
    assert!(!env.data().join("moved-away.json").exists());
}

#[test]
fn a_torn_write_is_reported_on_stderr_and_kept_aside() {
    let env = demo();
    env.ok(&["clock", "advance", "1h"]);
    let journal = env.data().join("journal.jsonl");
    let mut bytes = fs::read(&journal).unwrap();
    bytes.extend_from_slice(b"{\"seq\":2,\"entry\":{\"at\":");
    fs::write(&journal, bytes).unwrap();

    let out = env.run(&["clock", "show"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning") && out.stderr.contains("unfinished write"), "{}", out.stderr);

    let out = env.run(&["clock", "advance", "1h"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("journal.jsonl.torn-1"), "{}", out.stderr);
    assert_eq!(fs::read(env.data().join("journal.jsonl.torn-1")).unwrap(), b"{\"seq\":2,\"entry\":{\"at\":");
    assert!(env.run(&["clock", "show"]).stderr.is_empty());
}

/// `init --demo` and `init --empty` killed (SIGKILL) at random points, 60 times: the directory
/// always opens as a tenant (the old or the new), never as "no data" that would make the next
/// start install the demo over it.
#[test]
fn an_interrupted_init_never_leaves_a_directory_that_looks_empty() {
    let env = Env::new();
    env.ok(&["init", "--empty", "--admin", "admin@contoso.com"]);
    let mut seed: u64 = 0x0bad_5eed_1234_5678;
    let mut outcomes = [0u32; 2];
    for kill in 0..60 {
        let args: &[&str] = if kill % 2 == 0 { &["init", "--demo"] } else { &["init", "--empty"] };
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_entitle"))
            .arg("--data")
            .arg(env.data())
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(std::time::Duration::from_micros(500 + seed % 60_000));
        child.kill().unwrap();
        child.wait().unwrap();
        let store = Store::<Tenant>::open(env.data()).unwrap().unwrap_or_else(|| panic!("kill {kill}: no data"));
        let demo = store.state().display_name == "Contoso";
        outcomes[usize::from(demo)] += 1;
    }
    eprintln!("after 60 interrupted inits: {} empty tenants, {} demos", outcomes[0], outcomes[1]);
}
