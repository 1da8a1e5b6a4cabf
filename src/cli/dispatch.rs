//! From a parsed command to its handler.

use anyhow::Result;

use super::args::Cmd;
use super::args_flow::{ApprovalsCmd, RequestAction, ReviewsCmd};
use super::{Ctx, catalogs, directory, explain, lifecycle, policy, reports, requests, setup};

pub(crate) fn dispatch(ctx: &mut Ctx, command: Cmd) -> Result<()> {
    match command {
        Cmd::Init(_) | Cmd::Gen(_) => Ok(()), // handled before the store is opened
        Cmd::Clock(c) => setup::clock(ctx, c),
        Cmd::Settings(c) => setup::settings(ctx, c),
        Cmd::User(c) => directory::user(ctx, c),
        Cmd::Group(c) => directory::group(ctx, c),
        Cmd::App(c) => directory::app(ctx, c),
        Cmd::Site(c) => directory::site(ctx, c),
        Cmd::Membership(c) => directory::membership(ctx, c),
        Cmd::Org(c) => directory::org(ctx, c),
        Cmd::Catalog(c) => catalogs::catalog(ctx, c),
        Cmd::Extension(c) => super::extensions::extension(ctx, c),
        Cmd::Package(c) => catalogs::package(ctx, c),
        Cmd::Policy(c) => policy::policy(ctx, c),
        Cmd::Available => requests::available(ctx),
        Cmd::Request(r) => match r.action {
            Some(RequestAction::Show { id }) => requests::show(ctx, id),
            Some(RequestAction::Cancel { id }) => requests::cancel(ctx, id),
            None => requests::submit(ctx, r.new),
        },
        Cmd::Requests(a) => requests::list(ctx, a),
        Cmd::Approvals { cmd } => match cmd {
            None | Some(ApprovalsCmd::List) => requests::inbox(ctx),
            Some(ApprovalsCmd::History(a)) => requests::decided(ctx, a),
        },
        Cmd::Approve(a) => requests::decide(ctx, a, true),
        Cmd::Deny(a) => requests::decide(ctx, a, false),
        Cmd::Assignments(a) => lifecycle::assignments(ctx, a),
        Cmd::Assign(a) => lifecycle::assign(ctx, a),
        Cmd::Remove(a) => lifecycle::remove(ctx, a),
        Cmd::Extend(a) => lifecycle::extend(ctx, a),
        Cmd::Leave(a) => lifecycle::leave(ctx, a),
        Cmd::Reviews { cmd, all } => match cmd {
            None => lifecycle::reviews(ctx, all),
            Some(ReviewsCmd::List { all: list_all }) => lifecycle::reviews(ctx, all || list_all),
        },
        Cmd::Review(c) => lifecycle::review(ctx, c),
        Cmd::Report(c) => reports::report(ctx, c),
        Cmd::Lint => reports::lint(ctx),
        Cmd::Export(c) => super::config::export(ctx, c),
        Cmd::Plan(a) => super::config::plan(ctx, a),
        Cmd::Apply(a) => super::config::apply(ctx, a),
        Cmd::Explain(c) => explain::explain(ctx, c),
        Cmd::Audit(a) => reports::audit(ctx, a),
        Cmd::Notifications(a) => reports::notifications(ctx, a),
    }
}
