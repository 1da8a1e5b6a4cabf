//! Custom extensions through the command line, with real programs (the clock frozen): the event
//! on stdin, a failure and a timeout recorded without touching the request, a waiting request
//! let go on or denied by the program's answer, and calls made outside the store's lock.

use crate::cli_support;

use cli_support::Env;

fn setup() -> Env {
    let env = Env::empty();
    env.ok(&["clock", "freeze"]);
    env.ok(&["user", "create", "Ann Lee", "ann@contoso.com"]);
    env.ok(&["app", "create", "CRM", "--role", "User"]);
    env.ok(&["catalog", "create", "Sales"]);
    env.ok(&["catalog", "add-resource", "Sales", "CRM"]);
    env.ok(&["package", "create", "CRM users", "--catalog", "Sales"]);
    env.ok(&["package", "add-role", "CRM users", "CRM", "User"]);
    env.ok(&["policy", "create", "CRM users", "--scope", "all-members", "--no-justification"]);
    env
}

/// Register an extension running `command` and attach it to the policy at `stage`.
fn attach(env: &Env, name: &str, stage: &str, flags: &[&str], command: &[&str]) {
    let mut args = vec!["extension", "add", "--catalog", "Sales", "--name", name];
    args.extend_from_slice(flags);
    args.push("--");
    args.extend_from_slice(command);
    env.ok(&args);
    let setting = format!("{stage}={name}");
    env.ok(&["policy", "update", "Initial policy", "--package", "CRM users", "--extension", &setting]);
}

/// The audit events of custom extension calls, oldest first.
fn callouts(env: &Env) -> Vec<serde_json::Value> {
    let all = env.json(&["audit", "--activity", "customExtension.callout", "--limit", "100"]);
    all.as_array().cloned().unwrap_or_default()
}

fn request_state(env: &Env, id: &str) -> String {
    env.json(&["request", "show", id])["state"].as_str().unwrap_or_default().to_string()
}

#[test]
fn an_extension_reads_the_event_on_its_stdin_and_its_outcome_is_audited() {
    let env = setup();
    let file = env.data().join("events.jsonl");
    let path = file.to_string_lossy().to_string();
    attach(&env, "Log to file", "assignmentRequestGranted", &[], &["tee", "-a", &path]);
    let id = env.created(&["--as", "Ann", "request", "CRM users"]);
    assert_eq!(request_state(&env, &id), "delivered");
    let text = std::fs::read_to_string(&file).expect("the extension wrote its file");
    let event: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON event per line");
    assert_eq!(event["type"], "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestGranted");
    assert_eq!(event["data"]["stage"], "assignmentRequestGranted");
    assert_eq!(event["data"]["target"]["email"], "ann@contoso.com");
    assert_eq!(event["data"]["accessPackageAssignmentRequest"]["id"], id.as_str());
    let calls = callouts(&env);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["activity"], "customExtension.calloutSucceeded");
    assert_eq!(calls[0]["after"]["exitCode"], 0);
    assert!(calls[0]["after"]["durationMs"].is_number());
    // A role holder of the catalog reads the outcome too (filed under the extension).
    env.ok(&["catalog", "grant-role", "Sales", "Ann", "reader"]);
    let seen = env.json(&["--as", "Ann", "audit", "--activity", "customExtension.callout"]);
    assert_eq!(seen.as_array().map(Vec::len), Some(1), "{seen}");
    // The list shows the extension and the policy that calls it.
    let list = env.ok(&["extension", "list"]);
    assert!(list.contains("Log to file") && list.contains("tee -a"), "{list}");
}

#[test]
fn a_failing_extension_is_recorded_and_the_request_kept() {
    let env = setup();
    attach(&env, "Broken", "assignmentRequestCreated", &[], &["sh", "-c", "echo oops >&2; exit 3"]);
    let id = env.created(&["--as", "Ann", "request", "CRM users"]);
    assert_eq!(request_state(&env, &id), "delivered");
    let calls = callouts(&env);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["activity"], "customExtension.calloutFailed");
    assert_eq!(calls[0]["after"]["exitCode"], 3);
    assert_eq!(calls[0]["after"]["stderr"], "oops\n");
    // A program that does not exist is recorded the same way.
    env.ok(&["extension", "update", "Broken", "--", "/nonexistent/entitle-hook"]);
    env.ok(&["--as", "Ann", "leave", "CRM users"]);
    env.ok(&["--as", "Ann", "request", "CRM users"]);
    let calls = callouts(&env);
    assert_eq!(calls.last().map(|c| c["after"]["status"].clone()), Some(serde_json::json!("notStarted")), "{calls:?}");
}

#[test]
fn an_extension_past_its_timeout_is_killed_and_the_request_unaffected() {
    let env = setup();
    let pid_file = env.data().join("pid");
    let script = format!("echo $$ > '{}'; exec sleep 30", pid_file.display());
    attach(&env, "Slow", "assignmentRequestCreated", &["--timeout", "1"], &["sh", "-c", &script]);
    let id = env.created(&["--as", "Ann", "request", "CRM users"]);
    assert_eq!(request_state(&env, &id), "delivered");
    let calls = callouts(&env);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["activity"], "customExtension.calloutTimedOut");
    // Killed and reaped: the process is gone.
    let pid = std::fs::read_to_string(&pid_file).expect("the program started");
    assert!(!std::path::Path::new(&format!("/proc/{}", pid.trim())).exists(), "pid {pid} still there");
}

#[test]
fn a_waiting_extension_lets_one_request_go_on_and_denies_another() {
    let env = setup();
    // It reads the event and answers with the resume payload for its call; denied while the
    // flag file exists.
    let script = env.data().join("gate.sh");
    std::fs::write(
        &script,
        r#"id=$(sed -n 's/.*"customExtensionStageInstanceId":"\([^"]*\)".*/\1/p')
state=''
[ -e "$1" ] && state=',"state":"denied","customExtensionStageInstanceDetail":"not today"'
printf '{"type":"microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated","data":{"stage":"assignmentRequestCreated","customExtensionStageInstanceId":"%s"%s}}\n' "$id" "$state"
"#,
    )
    .expect("the script");
    let script = script.to_string_lossy().to_string();
    let flag = env.data().join("deny").to_string_lossy().to_string();
    attach(&env, "Gate", "assignmentRequestCreated", &["--wait", "--timeout", "10"], &["sh", &script, &flag]);
    let id = env.created(&["--as", "Ann", "request", "CRM users"]);
    assert_eq!(request_state(&env, &id), "delivered");
    let show = env.ok(&["request", "show", &id]);
    assert!(show.contains("Custom extension 'Gate' let it go on"), "{show}");

    env.ok(&["--as", "Ann", "leave", "CRM users"]);
    std::fs::write(&flag, "").expect("the flag");
    let id = env.created(&["--as", "Ann", "request", "CRM users"]);
    assert_eq!(request_state(&env, &id), "denied");
    let show = env.ok(&["request", "show", &id]);
    assert!(show.contains("Denied by custom extension 'Gate': not today"), "{show}");
    // A waiting extension at a later stage is refused, typed and named.
    let err = env.fails(
        &[
            "policy",
            "update",
            "Initial policy",
            "--package",
            "CRM users",
            "--extension",
            "assignmentRequestGranted=Gate",
        ],
        1,
    );
    assert!(err.contains("can wait only"), "{err}");
    // And removing one a policy calls names the policy.
    let err = env.fails(&["extension", "remove", "Gate"], 1);
    assert!(err.contains("'Initial policy'"), "{err}");
}

#[test]
fn extensions_run_outside_the_stores_lock() {
    let env = setup();
    // The extension commits to the same data: under the lock it would wait, then fail.
    let bin = env!("CARGO_BIN_EXE_entitle");
    let data = env.data().to_string_lossy().to_string();
    attach(
        &env,
        "Nested",
        "assignmentRequestGranted",
        &["--timeout", "20"],
        &[bin, "--data", &data, "--lock-timeout", "0", "catalog", "create", "Made by an extension"],
    );
    env.ok(&["--as", "Ann", "request", "CRM users"]);
    let calls = callouts(&env);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["activity"], "customExtension.calloutSucceeded", "{calls:?}");
    assert!(env.ok(&["catalog", "list"]).contains("Made by an extension"));
}

#[test]
fn a_call_queued_before_a_crash_is_made_by_the_next_run() {
    use entitle::domain::{Actor, Command, Tenant};
    let env = setup();
    let file = env.data().join("events.jsonl");
    let path = file.to_string_lossy().to_string();
    attach(&env, "Log to file", "assignmentRequestGranted", &[], &["tee", "-a", &path]);
    // A process commits a request and dies before making the call it queued.
    {
        let store = entitle::store::Store::<Tenant>::open(env.data()).expect("opens").expect("has data");
        let ann = store.state().find_user("Ann").map(|u| u.id).expect("Ann");
        let package = store.state().find_package("CRM users").map(|p| p.id).expect("the package");
        let mut session = entitle::session::Session::new(store, Actor::user(ann));
        let submit = Command::SubmitRequest {
            package,
            policy: None,
            justification: String::new(),
            answers: Default::default(),
            start: None,
        };
        session.run(submit).expect("delivered");
        assert!(session.callouts_pending());
    }
    assert!(!file.exists(), "not made yet");
    // Any later command makes it.
    env.ok(&["clock", "show"]);
    let text = std::fs::read_to_string(&file).expect("made by the next run");
    assert!(text.contains("assignmentRequestGranted"), "{text}");
    assert_eq!(callouts(&env).len(), 1);
}
