//! The Access packages tab's questions (package form, resource-role pickers, removal choice,
//! direct assignment, removal reason, confirms) and the answers to them. Each answer is one
//! domain command; a refused form or prompt stays open with the domain's message.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::TimeZone;

use crate::domain::{
    AssignmentId, CatalogId, Command, Intent, PackageId, PackageSpec, PolicyId, RequestId, ResourceId, ResourceKind,
    ResourceRole,
};
use crate::ui::app::Effect;
use crate::ui::ask::Ask;
use crate::ui::ctx::Ctx;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::catalogs_forms::user_items;
use crate::ui::tabs::common::fmt_time;
use crate::ui::tabs::lookups::{group_items, parse_ids};
use crate::ui::tabs::packages::Packages;
use crate::ui::tabs::packages_rows::target_name;
use crate::ui::tabs::panes::Notice;
use crate::ui::tabs::policy_form::spec_from_values;
use crate::ui::tone::Toned;
use crate::ui::widgets::confirm::ConfirmState;
use crate::ui::widgets::form::{Field, Form, FormValues};
use crate::ui::widgets::picker::{PickItem, PickerState};
use crate::ui::widgets::prompt::PromptState;

fn parse<T: FromStr>(s: Option<&str>) -> Option<T> {
    s.and_then(|s| s.parse().ok())
}

fn package_fields(form: Form, spec: &PackageSpec) -> Form {
    form.field(Field::text("name", "Name").required().value(spec.display_name.clone()))
        .field(Field::text("description", "Description").value(spec.description.clone()))
        .field(
            Field::toggle("hidden", "Hidden")
                .value(spec.hidden)
                .help("Not listed in My Access; requested through its direct link"),
        )
        .field(
            Field::toggle("sensitive", "Sensitive")
                .value(spec.sensitive)
                .help("Bundles sensitive resources: its policies should expire and be reviewed"),
        )
}

/// The catalogs the domain lets me create a package in, by name.
fn creatable_catalogs(ctx: &Ctx) -> Vec<&crate::domain::Catalog> {
    let t = ctx.tenant();
    let mut cats: Vec<&crate::domain::Catalog> =
        t.catalogs.values().filter(|c| ctx.refusal(&Intent::CreatePackage { catalog: c.id }).is_none()).collect();
    cats.sort_by_cached_key(|c| c.display_name.to_lowercase());
    cats
}

/// Why no package can be made: the domain's refusal for the selected package's catalog, or what
/// it takes when nothing is selected. None when some catalog takes one.
pub fn new_package_refusal(ctx: &Ctx, selected: Option<PackageId>) -> Option<String> {
    if !creatable_catalogs(ctx).is_empty() {
        return None;
    }
    let cat = selected.and_then(|p| ctx.tenant().packages.get(&p)).map(|p| p.catalog);
    Some(cat.and_then(|catalog| ctx.refusal(&Intent::CreatePackage { catalog })).unwrap_or_else(|| {
        "Creating an access package needs the catalog owner or access package manager role in a catalog; ask a catalog owner".to_string()
    }))
}

/// The form for a new package in a catalog I may create one in, `preferred` chosen when it is one.
pub fn new_package(ctx: &Ctx, preferred: Option<CatalogId>) -> Effect {
    let cats = creatable_catalogs(ctx);
    let opts: Vec<(String, String)> = cats.iter().map(|c| (c.id.to_string(), c.display_name.clone())).collect();
    let mut catalog =
        Field::choice("catalog", "Catalog", opts).help("Its resources are the ones the package can grant");
    if let Some(c) = preferred.filter(|c| cats.iter().any(|x| x.id == *c)) {
        catalog = catalog.value(c.to_string());
    }
    let spec = PackageSpec { display_name: String::new(), description: String::new(), hidden: false, sensitive: false };
    let form = package_fields(Form::new(Ask::Package(None), "New access package").field(catalog), &spec);
    Effect::Open(Layer::form(form))
}

pub fn edit_package(ctx: &Ctx, pkg: PackageId) -> Effect {
    let Some(p) = ctx.tenant().packages.get(&pkg) else { return Effect::None };
    let spec = PackageSpec {
        display_name: p.display_name.clone(),
        description: p.description.clone(),
        hidden: p.hidden,
        sensitive: p.sensitive,
    };
    let form = package_fields(Form::new(Ask::Package(Some(pkg)), format!("Edit '{}'", p.display_name)), &spec);
    Effect::Open(Layer::form(incompatible_fields(ctx, form, pkg)))
}

/// Separation of duties in the edit form: the packages and groups whose holders may not have it.
fn incompatible_fields(ctx: &Ctx, mut form: Form, pkg: PackageId) -> Form {
    let t = ctx.tenant();
    let Some(p) = t.packages.get(&pkg) else { return form };
    let packages: Vec<PickItem> = t
        .packages
        .values()
        .filter(|o| o.id != pkg && !o.is_deleted())
        .map(|o| {
            let cat = t.catalogs.get(&o.catalog).map(|c| c.display_name.clone()).unwrap_or_default();
            PickItem::new(o.id.to_string(), o.display_name.clone(), cat)
        })
        .collect();
    form = form
        .field(
            Field::lookup("incompatible_packages", "Incompatible packages", packages, true)
                .help("Whoever has one of these cannot request or be assigned this one (nor the reverse)"),
        )
        .field(
            Field::lookup("incompatible_groups", "Incompatible groups", group_items(t), true)
                .help("Members of these groups cannot request or be assigned it"),
        );
    let packages: Vec<String> = p.incompatible_packages.iter().map(|x| x.to_string()).collect();
    let groups: Vec<String> = p.incompatible_groups.iter().map(|x| x.to_string()).collect();
    form.set_value("incompatible_packages", packages);
    form.set_value("incompatible_groups", groups);
    form
}

/// The commands that bring the package's incompatibilities to what the edit form says.
fn incompatible_changes(ctx: &Ctx, package: PackageId, values: &FormValues) -> Result<Vec<Command>, String> {
    let Some(p) = ctx.tenant().packages.get(&package) else { return Ok(vec![]) };
    let packages: BTreeSet<PackageId> = parse_ids(values.multi("incompatible_packages"), "Incompatible packages")?;
    let groups: BTreeSet<ResourceId> = parse_ids(values.multi("incompatible_groups"), "Incompatible groups")?;
    let want = crate::domain::separation::listed(&packages, &groups);
    let have = p.incompatible_listed();
    let added = want.iter().filter(|w| !have.contains(w)).map(|w| Command::AddIncompatible { package, with: *w });
    let removed = have.iter().filter(|h| !want.contains(h)).map(|h| Command::RemoveIncompatible { package, with: *h });
    Ok(added.chain(removed).collect())
}

/// Hide or show the package in My Access: an edit of its hidden flag.
pub fn toggle_hidden(ctx: &mut Ctx, pkg: PackageId, notice: &mut Notice) -> Effect {
    let Some(p) = ctx.tenant().packages.get(&pkg) else { return Effect::None };
    let spec = PackageSpec {
        display_name: p.display_name.clone(),
        description: p.description.clone(),
        hidden: !p.hidden,
        sensitive: p.sensitive,
    };
    notice.run(ctx, Command::UpdatePackage { package: pkg, spec })
}

pub fn confirm_delete(ctx: &Ctx, pkg: PackageId) -> Effect {
    let t = ctx.tenant();
    let Some(p) = t.packages.get(&pkg) else { return Effect::None };
    let n = t.assignments_of_package(pkg).filter(|a| a.is_active()).count();
    let msg = format!(
        "Delete '{}'? It stops new requests and leaves My Access; {n} existing assignment(s) run to their end.",
        p.display_name
    );
    Effect::Open(Layer::Confirm(ConfirmState::new(Ask::DeletePackage(pkg), "Delete access package", msg).default_no()))
}

/// The resources a package could grant: its catalog's first; the rest say they are outside it
/// (the domain refuses them with its rule).
pub fn role_resource_picker(ctx: &Ctx, pkg: PackageId) -> Effect {
    let t = ctx.tenant();
    let Some(p) = t.packages.get(&pkg) else { return Effect::None };
    let Some(cat) = t.catalogs.get(&p.catalog) else { return Effect::None };
    let mut items: Vec<(bool, PickItem)> = t
        .resources
        .values()
        .filter(|r| {
            // A resource not granted yet; an application also while a role of it is left
            // (several roles of one application may be in one package).
            let granted = p.resource_roles.iter().filter(|rr| rr.resource == r.id).count();
            granted == 0 || (matches!(r.kind, ResourceKind::Application) && granted < r.roles.len())
        })
        .map(|r| {
            let inside = cat.resources.contains(&r.id);
            let detail = if inside {
                format!("{} · {}", r.kind.label(), r.roles.join(", "))
            } else {
                format!("not in catalog '{}'", cat.display_name)
            };
            (!inside, PickItem::new(r.id.to_string(), r.display_name.clone(), detail))
        })
        .collect();
    items.sort_by_cached_key(|(outside, i)| (*outside, i.label.to_lowercase()));
    let items: Vec<PickItem> = items.into_iter().map(|(_, i)| i).collect();
    if items.is_empty() {
        return Effect::info("The package already grants a role of every resource");
    }
    let title = format!("Resource for '{}' (from catalog '{}')", p.display_name, cat.display_name);
    Effect::Open(Layer::Picker(PickerState::new(Ask::RoleResource(pkg), title, items)))
}

/// After the resource: its role (asked only when it has several).
fn role_picker(tab: &mut Packages, ctx: &mut Ctx, pkg: PackageId, res: ResourceId) -> Effect {
    let t = ctx.tenant();
    let Some(r) = t.resources.get(&res) else { return Effect::None };
    // The roles the package does not grant yet.
    let granted = |role: &str| {
        t.packages.get(&pkg).is_some_and(|p| p.resource_roles.iter().any(|rr| rr.resource == res && rr.role == role))
    };
    let roles: Vec<String> = r.roles.iter().filter(|x| !granted(x)).cloned().collect();
    match roles.as_slice() {
        [only] => {
            let role = only.clone();
            tab.notice.run(ctx, Command::AddResourceRole { package: pkg, resource: res, role })
        }
        roles => {
            let items = roles.iter().map(|x| PickItem::new(x.clone(), x.clone(), r.kind.label())).collect();
            let title = format!("Role of '{}'", r.display_name);
            Effect::Open(Layer::Picker(PickerState::new(
                Ask::RoleOfResource { package: pkg, resource: res },
                title,
                items,
            )))
        }
    }
}

/// Removing a resource role: keep or revoke the grants of current assignees (Esc cancels).
pub fn remove_role_form(ctx: &Ctx, pkg: PackageId, rr: &ResourceRole) -> Effect {
    let t = ctx.tenant();
    let Some(p) = t.packages.get(&pkg) else { return Effect::None };
    if !p.resource_roles.contains(rr) {
        return Effect::None;
    }
    let holders = t.assignments_of_package(pkg).filter(|a| a.is_active() && a.granted.contains(rr)).count();
    let title = format!("Remove {} ({}) from '{}'", t.resource_name(rr.resource), rr.role, p.display_name);
    let ask = Ask::RemoveRole { package: pkg, resource: rr.resource, role: rr.role.to_string() };
    let form = Form::new(ask, title).field(
        Field::choice(
            "current",
            format!("Current holders ({holders})"),
            [("keep", "Keep grants"), ("revoke", "Revoke too")],
        )
        .help("Keep: they hold it until their assignment ends"),
    );
    Effect::Open(Layer::form(form))
}

pub fn confirm_delete_policy(ctx: &Ctx, pol: PolicyId) -> Effect {
    let Some(p) = ctx.tenant().policies.get(&pol) else { return Effect::None };
    let msg =
        format!("Delete policy '{}'? Nobody can request or be assigned through it any more.", p.spec.display_name);
    Effect::Open(Layer::Confirm(ConfirmState::new(Ask::DeletePolicy(pol), "Delete policy", msg).default_no()))
}

pub fn remove_assignment_prompt(ctx: &Ctx, a: AssignmentId) -> Effect {
    let t = ctx.tenant();
    let Some(asg) = t.assignments.get(&a) else { return Effect::None };
    let label = format!("Why remove {}'s access? (optional; in the audit log)", t.user_name(asg.target));
    Effect::Open(Layer::Prompt(PromptState::new(Ask::RemoveAssignment(a), format!("Remove assignment {a}"), label)))
}

pub fn request_history(ctx: &Ctx, r: RequestId) -> Effect {
    let t = ctx.tenant();
    let Some(req) = ctx.request(r) else { return Effect::None };
    let req = &req;
    let mut text = format!("{} · {} · {}\n", target_name(ctx, &req.target), req.request_type.word(), req.state.word());
    if req.state.is_open() {
        text.push_str(&format!("Waiting on: {}\n", t.waiting_on(req)));
    }
    if !req.justification.is_empty() {
        text.push_str(&format!("Justification: {}\n", req.justification));
    }
    text.push('\n');
    for h in &req.history {
        text.push_str(&format!("{}  {}\n", fmt_time(h.at), h.text));
    }
    Effect::Open(Layer::message(format!("Request {r}"), text))
}

/// Direct assignment: user, policy, optional dates, justification.
pub fn assign(ctx: &Ctx, pkg: PackageId) -> Effect {
    let t = ctx.tenant();
    let Some(p) = t.packages.get(&pkg) else { return Effect::None };
    let pols: Vec<(String, String)> = t
        .policies_of(pkg)
        .map(|x| {
            let off = if x.spec.enabled { "" } else { " (new requests off)" };
            (x.id.to_string(), format!("{}: {}{off}", x.spec.display_name, x.spec.lifecycle.expiration.label()))
        })
        .collect();
    let mut users = user_items(ctx);
    for u in &mut users {
        if u.id.parse().is_ok_and(|id| t.active_assignment(id, pkg).is_some()) {
            u.detail.push_str(" · already assigned");
        }
    }
    let form = Form::new(Ask::Assign(pkg), format!("Assign '{}' directly", p.display_name))
        .field(Field::lookup("user", "User", users, false).required())
        .field(
            Field::choice("policy", "Policy", pols)
                .help("Its lifecycle sets the end; an end you give can only be earlier"),
        )
        .field(Field::date("start", "Start (optional)", true).help("Empty: now"))
        .field(Field::date("end", "End (optional)", true).help("Empty: as the policy says"))
        .field(Field::text("justification", "Justification"));
    Effect::Open(Layer::form(form))
}

/// Runs a form's command: on a refusal the form stays open with the domain's message.
fn run_form(tab: &mut Packages, ctx: &mut Ctx, command: Command) -> Effect {
    match ctx.run(command) {
        Ok(out) => {
            if let Some(id) = out.created.and_then(|c| c.package()) {
                tab.select_after_refresh = Some(id);
            }
            tab.notice.done(&out)
        }
        Err(e) => Effect::Reject(e),
    }
}

fn utc(d: Option<chrono::NaiveDateTime>) -> Option<crate::domain::Time> {
    d.map(|d| chrono::Utc.from_utc_datetime(&d))
}

fn submitted(tab: &mut Packages, ctx: &mut Ctx, id: Ask, values: &FormValues) -> Effect {
    let cmd = match id {
        Ask::Policy { package, policy } => {
            let spec = match spec_from_values(ctx, values) {
                Ok(s) => s,
                Err(e) => return Effect::Reject(e),
            };
            // An automatic policy shows who it gains and loses first; the same values again save.
            if let Some(auto) = &spec.automatic {
                let seen = (id.clone(), spec.clone());
                if tab.previewed.as_ref() != Some(&seen) {
                    let t = ctx.tenant();
                    let text = match t.preview_automatic(ctx.actor(), package, policy, &spec) {
                        Ok(p) => crate::ui::tabs::policy_auto::preview_text(t, &p, auto.grace_period_hours),
                        Err(e) => e.to_string(),
                    };
                    tab.previewed = Some(seen);
                    return Effect::Reject(text);
                }
            }
            tab.previewed = None;
            match policy {
                Some(policy) => Command::UpdatePolicy { policy, spec },
                None => Command::CreatePolicy { package, spec },
            }
        }
        Ask::Package(which) => {
            let spec = PackageSpec {
                display_name: values.text("name").to_string(),
                description: values.text("description").to_string(),
                hidden: values.bool("hidden"),
                sensitive: values.bool("sensitive"),
            };
            match (which, parse(values.choice("catalog"))) {
                (Some(package), _) => {
                    // What it is incompatible with first: a refusal keeps the form open.
                    let changes = match incompatible_changes(ctx, package, values) {
                        Ok(c) => c,
                        Err(e) => return Effect::Reject(e),
                    };
                    for c in changes {
                        if let Err(e) = ctx.run(c) {
                            return Effect::Reject(e);
                        }
                    }
                    Command::UpdatePackage { package, spec }
                }
                (None, Some(catalog)) => Command::CreatePackage { catalog, spec },
                (None, None) => return Effect::Reject("Choose a catalog".into()),
            }
        }
        Ask::RemoveRole { package, resource, role } => {
            let revoke_existing = values.choice("current") == Some("revoke");
            Command::RemoveResourceRole { package, resource, role, revoke_existing }
        }
        Ask::Assign(package) => {
            let (Some(user), Some(policy)) =
                (parse(values.multi("user").first().map(String::as_str)), parse(values.choice("policy")))
            else {
                return Effect::Reject("Choose a user and a policy".into());
            };
            Command::AdminAssign {
                package,
                policy,
                user,
                start: utc(values.datetime("start")),
                end: utc(values.datetime("end")),
                justification: values.text("justification").to_string(),
            }
        }
        _ => return Effect::None,
    };
    run_form(tab, ctx, cmd)
}

/// F2 in the policy editor: what saving the edit would change (nothing is saved; the form stays).
fn previewed(ctx: &mut Ctx, policy: Option<crate::domain::PolicyId>, values: &FormValues) -> Effect {
    let Some(policy) = policy else {
        return Effect::Reject(
            "A new policy changes no assignment or request: save it to see who it lets request".into(),
        );
    };
    let spec = match spec_from_values(ctx, values) {
        Ok(s) => s,
        Err(e) => return Effect::Reject(e),
    };
    match ctx.session.preview_policy(policy, &spec, crate::domain::what_if_policy::NAMED) {
        Ok(p) => {
            let text = p.text(ctx.tenant());
            Effect::Open(Layer::text(crate::ui::widgets::text_view::TextView::new("If you save this edit", &text)))
        }
        Err(e) => Effect::Reject(e.to_string()),
    }
}

pub fn answer(tab: &mut Packages, ctx: &mut Ctx, result: LayerResult) -> Effect {
    match result {
        LayerResult::Submitted { id, values } => submitted(tab, ctx, id, &values),
        LayerResult::Previewed { id: Ask::Policy { policy, .. }, values } => previewed(ctx, policy, &values),
        LayerResult::Picked { id, ids } => {
            let first = ids.first().map(String::as_str);
            match (id, first) {
                (Ask::RoleResource(pkg), _) => match parse(first) {
                    Some(res) => role_picker(tab, ctx, pkg, res),
                    None => Effect::None,
                },
                (Ask::RoleOfResource { package, resource }, Some(role)) => {
                    let role = role.to_string();
                    tab.notice.run(ctx, Command::AddResourceRole { package, resource, role })
                }
                _ => Effect::None,
            }
        }
        LayerResult::Confirmed { id } => {
            let cmd = match id {
                Ask::DeletePackage(package) => Command::DeletePackage { package },
                Ask::DeletePolicy(policy) => Command::DeletePolicy { policy },
                _ => return Effect::None,
            };
            tab.notice.run(ctx, cmd)
        }
        LayerResult::Prompted { id: Ask::RemoveAssignment(assignment), text } => {
            match ctx.run(Command::AdminRemove { assignment, reason: text }) {
                Ok(out) => tab.notice.done(&out),
                Err(e) => Effect::Reject(e),
            }
        }
        _ => Effect::None,
    }
}
