//! Real-terminal tests: the release or debug binary in a pseudo-terminal (portable-pty), the screen
//! read back through a terminal emulator (vt100). They check what unit tests cannot: raw mode,
//! the alternate screen, real key bytes, and that the terminal is restored on exit.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// One running `entitle` in a pty.
struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Term {
    fn start(data: &Path, args: &[&str]) -> Term {
        let pty = native_pty_system();
        let pair = pty.openpty(PtySize { rows: 35, cols: 120, pixel_width: 0, pixel_height: 0 }).expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_entitle"));
        cmd.arg("--data");
        cmd.arg(data);
        for a in args {
            cmd.arg(a);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        cmd.env("ENTITLE_DATA", "");
        let child = pair.slave.spawn_command(cmd).expect("spawn entitle");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(35, 120, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut p) = p.lock() {
                    p.process(&buf[..n]);
                }
                if let Ok(mut r) = r.lock() {
                    r.extend_from_slice(&buf[..n]);
                }
            }
        });
        Term { parser, raw, writer, child }
    }

    fn screen(&self) -> String {
        self.parser.lock().map(|p| p.screen().contents()).unwrap_or_default()
    }

    /// Wait until the screen shows `text` (generous limit: this checks behaviour, not speed).
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the screen never showed {text:?}; it shows:\n{}", self.screen());
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
        std::thread::sleep(Duration::from_millis(120));
    }

    fn typ(&mut self, text: &str) {
        for c in text.chars() {
            self.send(&c.to_string());
        }
    }

    /// `r` on the selected package, a justification, `ctrl-s`.
    fn request_selected(&mut self, justification: &str) {
        self.send("r");
        self.wait_for("Business justification");
        self.typ(justification);
        self.send(CTRL_S);
    }

    /// `u`, filter the picker, Enter.
    fn sign_in(&mut self, filter: &str) {
        self.send("u");
        self.wait_for("Sign in as");
        self.typ(filter);
        self.send(ENTER);
    }

    /// Quit and wait for the process; returns its exit status and everything it wrote.
    fn quit(mut self) -> (bool, Vec<u8>) {
        self.send("q");
        let (status, raw) = self.ended("quit");
        (status.success(), raw)
    }

    /// Waits for the process to end (generous limit); its status and everything it wrote.
    fn ended(&mut self, what: &str) -> (portable_pty::ExitStatus, Vec<u8>) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("entitle did not {what}; the screen shows:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(200));
        let raw = self.raw.lock().map(|r| r.clone()).unwrap_or_default();
        (status, raw)
    }
}

impl Term {
    /// Send `signal` to the process and wait for it to end; its exit code and everything it wrote.
    #[cfg(unix)]
    fn end_by(mut self, signal: i32) -> (u32, Vec<u8>) {
        let pid = self.child.process_id().expect("the child's pid");
        let pid = i32::try_from(pid).expect("a pid fits");
        // SAFETY: kill(2) on our own child's pid, with a valid signal number.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill failed");
        let (status, raw) = self.ended(&format!("end on signal {signal}"));
        (status.exit_code(), raw)
    }
}

/// The terminal left as it was found: the alternate screen entered then left, mouse reporting
/// switched off after it was last switched on, and the cursor shown again.
fn assert_restored(raw: &[u8]) {
    assert!(contains(raw, "\x1b[?1049h"), "never entered the alternate screen");
    let enter_alt = last_index(raw, "\x1b[?1049h").unwrap_or(0);
    let leave_alt = last_index(raw, "\x1b[?1049l").expect("left the alternate screen");
    assert!(leave_alt > enter_alt, "the alternate screen was not left at the end");
    let mouse_on = last_index(raw, "\x1b[?1000h").expect("mouse capture switched on");
    let mouse_off = last_index(raw, "\x1b[?1000l").expect("mouse capture switched off");
    assert!(mouse_off > mouse_on, "mouse reporting left on");
    let hide = last_index(raw, "\x1b[?25l").unwrap_or(0);
    let show = last_index(raw, "\x1b[?25h").expect("cursor shown again");
    assert!(show > hide, "the cursor was left hidden");
}

const ENTER: &str = "\r";
const ESC: &str = "\x1b";
const CTRL_S: &str = "\x13";

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn last_index(hay: &[u8], needle: &str) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle.as_bytes())
}

#[test]
fn starts_on_the_demo_switches_tabs_and_restores_the_terminal_on_quit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut t = Term::start(dir.path(), &[]);
    t.wait_for("Access");
    t.wait_for("installed the demo tenant");
    t.send("3");
    t.wait_for("Waiting for my decision");
    t.send("?");
    t.wait_for("Help");
    t.send(ESC);
    let (ok, raw) = t.quit();
    assert!(ok, "entitle exited with a failure");
    assert_restored(&raw);
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT end the app as `q` would: the terminal restored, the exit
/// code 128 + the signal's number, and what was committed before kept.
#[cfg(unix)]
#[test]
fn a_signal_ends_the_app_with_the_terminal_restored_and_nothing_lost() {
    for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT, libc::SIGQUIT] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut t = Term::start(dir.path(), &["--as", "allande@contoso.com"]);
        t.wait_for("Internal_AccessPackage");
        t.request_selected("Working with the lab team");
        t.wait_for("delivered");
        let (code, raw) = t.end_by(signal);
        assert_eq!(code, 128 + u32::try_from(signal).expect("a small number"), "signal {signal}");
        assert_restored(&raw);
        let store = entitle::store::Store::<entitle::domain::Tenant>::open(dir.path()).expect("reopen").expect("data");
        let tenant = store.state();
        let allan = tenant.find_user("allande@contoso.com").expect("Allan").id;
        let team = tenant.find_resource("External_Collaboration").expect("the team").id;
        assert!(tenant.holds(allan, team, "Member"), "the request made before signal {signal} was kept");
    }
}

#[test]
fn allan_requests_internal_access_package_and_gets_the_team() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut t = Term::start(dir.path(), &["--as", "allande@contoso.com"]);
    t.wait_for("Internal_AccessPackage");
    t.request_selected("Working with the lab team");
    t.wait_for("delivered");
    let (ok, _) = t.quit();
    assert!(ok);
    let store = entitle::store::Store::<entitle::domain::Tenant>::open(dir.path()).expect("reopen").expect("data");
    let tenant = store.state();
    let allan = tenant.find_user("allande@contoso.com").expect("Allan").id;
    let team = tenant.find_resource("External_Collaboration").expect("the team").id;
    assert!(tenant.holds(allan, team, "Member"), "Allan should now be in the team");
}

/// Seed 001, the internal and external lab, in one real terminal session: Allan requests
/// Internal_AccessPackage and gets the team at once; Alex (from the connected organization
/// Azureblog, not yet in the directory) requests External_AccessPackage; Adele approves it in her
/// inbox; the administrator moves the clock past the end date and both lose access.
#[test]
fn seed_001_lab_allan_alex_and_adele_in_a_real_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut t = Term::start(dir.path(), &["--as", "allande@contoso.com"]);
    t.wait_for("Internal_AccessPackage");
    t.request_selected("Working with the lab team");
    t.wait_for("delivered");

    // Alex signs in from outside the directory. The demo already has a request of his waiting:
    // he cancels it and asks again.
    t.sign_in("outside");
    t.wait_for("Email");
    t.typ("alex@azureblog.net");
    t.send(ENTER);
    t.wait_for("Signed in as alex@azureblog.net");
    t.send("]");
    t.wait_for("My requests");
    t.send("c");
    t.wait_for("Cancel request");
    t.send("y");
    t.wait_for("canceled");
    t.send("[");
    t.wait_for("Available to request");
    t.request_selected("Contractor on the External_Collaboration team");
    t.wait_for("pending approval");

    // Adele clears her inbox.
    t.sign_in("Adele");
    t.wait_for("Signed in as Adele Vance");
    t.send("3");
    t.wait_for("Pending");
    t.send("a");
    t.wait_for("reason");
    t.typ("Alex works with us on the lab");
    t.send(ENTER);
    t.wait_for("delivered");

    // The administrator moves the clock past both end dates.
    t.sign_in("MOD");
    t.wait_for("Signed in as MOD Administrator");
    t.send("J");
    t.wait_for("Jump to");
    t.typ("2027-12-01");
    t.send(ENTER);
    t.wait_for("The clock moved");
    t.wait_for("expired");
    t.send(ESC);
    let (ok, _) = t.quit();
    assert!(ok);

    let store = entitle::store::Store::<entitle::domain::Tenant>::open(dir.path()).expect("reopen").expect("data");
    let tenant = store.state();
    let team = tenant.find_resource("External_Collaboration").expect("the team").id;
    let allan = tenant.find_user("allande@contoso.com").expect("Allan").id;
    let alex = tenant.find_user("alex@azureblog.net").expect("Alex became a guest on delivery");
    assert!(alex.is_guest());
    for user in [allan, alex.id] {
        let pkgs: Vec<_> = tenant
            .assignments_of_user(user)
            .filter(|a| tenant.packages.get(&a.package).is_some_and(|p| p.display_name.ends_with("_AccessPackage")))
            .collect();
        assert!(!pkgs.is_empty(), "{} was delivered the package", tenant.user_name(user));
        assert!(pkgs.iter().all(|a| a.state == entitle::domain::AssignmentState::Expired), "{pkgs:?}");
        assert!(!tenant.holds(user, team, "Member"), "{} lost the team", tenant.user_name(user));
    }
}

/// Another process holds the data's lock inside a commit that does not finish (as a process
/// stopped with SIGSTOP would): a command in the app shows that it waits and who holds the lock,
/// the screen stays alive, Esc gives the command up (not done, and the status bar says so), and
/// once the lock is free the same key works. Ctrl-C while waiting quits. Meanwhile the periodic
/// refresh does not wait: keys work until a command needs the lock.
#[test]
fn a_commit_waiting_for_a_stuck_lock_can_be_given_up_with_esc() {
    use entitle::domain::{Actor, Command, Entry, Tenant};
    use entitle::store::Store;
    use std::sync::mpsc;

    let dir = tempfile::tempdir().expect("tempdir");
    let mut t = Term::start(dir.path(), &["--lock-timeout", "60"]);
    t.wait_for("installed the demo tenant");
    let before = Store::<Tenant>::open(dir.path()).expect("open").expect("data").state().clock.now;

    let hold = || {
        let (held_tx, held_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let path = dir.path().to_owned();
        let holder = std::thread::spawn(move || {
            let mut store = Store::<Tenant>::open(&path).expect("open").expect("data");
            // A change the app has not seen yet, so that its periodic refresh wants the lock.
            let tick = |t: &Tenant| Entry { at: t.clock.now, actor: Actor::System, command: Command::Tick };
            store.commit(tick).expect("a first commit");
            let _ = store.commit(|t| {
                held_tx.send(()).expect("tell");
                release_rx.recv().expect("wait");
                Entry { at: t.clock.now, actor: Actor::System, command: Command::Tick }
            });
        });
        held_rx.recv().expect("the lock is held");
        (release_tx, holder)
    };

    let (release, holder) = hold();
    // The periodic refresh does not wait for the lock: keys still work, and nothing says "waiting".
    t.send("3");
    t.wait_for("Waiting for my decision");
    std::thread::sleep(Duration::from_millis(1200));
    assert!(!t.screen().contains("waiting for another process"), "{}", t.screen());
    t.send("2");
    t.send(">");
    t.wait_for("waiting for another process");
    t.wait_for(&format!("process {}", std::process::id()));
    t.send(ESC);
    t.wait_for("gave up waiting");
    release.send(()).expect("release");
    holder.join().expect("holder");
    let store = Store::<Tenant>::open(dir.path()).expect("open").expect("data");
    assert_eq!(store.state().clock.now, before, "the given-up command was not done");

    t.send(">");
    t.wait_for("Clock now");
    t.send(ESC);

    let (release, holder) = hold();
    t.send(">");
    t.wait_for("waiting for another process");
    t.send("\x03");
    let deadline = Instant::now() + Duration::from_secs(20);
    while t.child.try_wait().ok().flatten().is_none() {
        assert!(Instant::now() < deadline, "Ctrl-C did not quit; the screen shows:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    release.send(()).expect("release");
    holder.join().expect("holder");
}
