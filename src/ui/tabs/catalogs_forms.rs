//! The Catalogs tab's questions: the catalog form, the resource picker, the role form, and the
//! answers to them and to its confirms. Each answer is one domain command.

use std::str::FromStr;

use crate::domain::{CatalogId, CatalogRole, CatalogSpec, Command, ResourceId, UserId};
use crate::ui::app::Effect;
use crate::ui::ask::Ask;
use crate::ui::ctx::Ctx;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::catalogs::Catalogs;
use crate::ui::widgets::form::{Field, Form, FormValues};
use crate::ui::widgets::picker::{PickItem, PickerState};

fn catalog_form(id: Ask, title: String, spec: &CatalogSpec) -> Form {
    Form::new(id, title)
        .field(Field::text("name", "Name").required().value(spec.display_name.clone()))
        .field(Field::text("description", "Description").value(spec.description.clone()))
        .field(Field::toggle("enabled", "Enabled").value(spec.enabled).help("Its packages can be seen and requested"))
        .field(
            Field::toggle("external", "Enabled for external users")
                .value(spec.external)
                .help("Users of connected organizations can see its packages"),
        )
}

/// The form for a new catalog (the shell asked the domain whether the person may create one).
pub fn new_catalog() -> Effect {
    let spec = CatalogSpec { display_name: String::new(), description: String::new(), enabled: true, external: false };
    Effect::Open(Layer::form(catalog_form(Ask::Catalog(None), "New catalog".into(), &spec)))
}

pub fn edit_catalog(ctx: &Ctx, cat: CatalogId) -> Effect {
    let Some(c) = ctx.tenant().catalogs.get(&cat) else { return Effect::None };
    let spec = CatalogSpec {
        display_name: c.display_name.clone(),
        description: c.description.clone(),
        enabled: c.enabled,
        external: c.external,
    };
    Effect::Open(Layer::form(catalog_form(Ask::Catalog(Some(cat)), format!("Edit '{}'", c.display_name), &spec)))
}

/// Directory resources not yet in the catalog. The domain checks ownership when one is added.
pub fn resource_picker(ctx: &Ctx, cat: CatalogId) -> Effect {
    let t = ctx.tenant();
    let Some(c) = t.catalogs.get(&cat) else { return Effect::None };
    let me = ctx.me();
    let mut items: Vec<PickItem> = t
        .resources
        .values()
        .filter(|r| !c.resources.contains(&r.id))
        .map(|r| {
            let owners = if me.is_some_and(|u| r.owners.contains(&u)) {
                "you own it".to_string()
            } else if r.owners.is_empty() {
                "no owners".to_string()
            } else {
                let names: Vec<String> = r.owners.iter().take(3).map(|u| t.user_name(*u)).collect();
                format!("owners: {}", names.join(", "))
            };
            PickItem::new(r.id.to_string(), r.display_name.clone(), format!("{} · {owners}", r.kind.label()))
        })
        .collect();
    items.sort_by_cached_key(|i| i.label.to_lowercase());
    if items.is_empty() {
        return Effect::info("Every directory resource is already in this catalog");
    }
    let title = format!("Add a resource to '{}'", c.display_name);
    Effect::Open(Layer::Picker(PickerState::new(Ask::AddCatalogResource(cat), title, items)))
}

/// Active directory users by name, for a lookup field.
pub fn user_items(ctx: &Ctx) -> Vec<PickItem> {
    let mut items = crate::ui::tabs::lookups::user_items(ctx.tenant());
    items.sort_by_cached_key(|i| i.label.to_lowercase());
    items
}

pub fn grant_role(ctx: &Ctx, cat: CatalogId) -> Effect {
    let Some(c) = ctx.tenant().catalogs.get(&cat) else { return Effect::None };
    let roles = [
        (CatalogRole::Owner, "everything here"),
        (CatalogRole::AccessPackageManager, "packages and policies"),
        (CatalogRole::AccessPackageAssignmentManager, "assignments"),
        (CatalogRole::Reader, "read only"),
    ]
    .map(|(r, what)| (r.to_string(), format!("{} ({what})", r.label())));
    let form = Form::new(Ask::GrantRole(cat), format!("Grant a role in '{}'", c.display_name))
        .field(Field::lookup("user", "User", user_items(ctx), false).required())
        .field(Field::choice("role", "Role", roles));
    Effect::Open(Layer::form(form))
}

fn parse<T: FromStr>(s: Option<&str>) -> Option<T> {
    s.and_then(|s| s.parse().ok())
}

fn picked_user(values: &FormValues) -> Option<UserId> {
    parse(values.multi("user").first().map(String::as_str))
}

/// Runs a form's command: on a refusal the form stays open with the domain's message.
fn run_form(tab: &mut Catalogs, ctx: &mut Ctx, command: Command) -> Effect {
    match ctx.run(command) {
        Ok(out) => {
            if let Some(id) = out.created.and_then(|c| c.catalog()) {
                tab.select_after_refresh = Some(id);
            }
            tab.notice.done(&out)
        }
        Err(e) => Effect::Reject(e),
    }
}

pub fn answer(tab: &mut Catalogs, ctx: &mut Ctx, result: LayerResult) -> Effect {
    match result {
        LayerResult::Submitted { id: Ask::Catalog(which), values } => {
            let spec = CatalogSpec {
                display_name: values.text("name").to_string(),
                description: values.text("description").to_string(),
                enabled: values.bool("enabled"),
                external: values.bool("external"),
            };
            let cmd = match which {
                Some(catalog) => Command::UpdateCatalog { catalog, spec },
                None => Command::CreateCatalog { spec },
            };
            run_form(tab, ctx, cmd)
        }
        LayerResult::Submitted { id: Ask::GrantRole(catalog), values } => {
            let (Some(user), Some(role)) = (picked_user(&values), parse::<CatalogRole>(values.choice("role"))) else {
                return Effect::Reject("Choose a user and a role".into());
            };
            run_form(tab, ctx, Command::GrantCatalogRole { catalog, user, role })
        }
        LayerResult::Submitted { id: Ask::Extension { catalog, editing }, values } => {
            match super::catalog_extensions::command(catalog, editing, &values) {
                Ok(cmd) => run_form(tab, ctx, cmd),
                Err(e) => Effect::Reject(e),
            }
        }
        LayerResult::Picked { id: Ask::AddCatalogResource(catalog), ids } => {
            match parse::<ResourceId>(ids.first().map(String::as_str)) {
                Some(resource) => tab.notice.run(ctx, Command::AddCatalogResource { catalog, resource }),
                None => Effect::None,
            }
        }
        LayerResult::Confirmed { id } => {
            let cmd = match id {
                Ask::DeleteCatalog(catalog) => Command::DeleteCatalog { catalog },
                Ask::RemoveCatalogResource { catalog, resource } => {
                    Command::RemoveCatalogResource { catalog, resource }
                }
                Ask::RevokeRole { catalog, user, role } => Command::RevokeCatalogRole { catalog, user, role },
                Ask::RemoveExtension(extension) => Command::RemoveExtension { extension },
                _ => return Effect::None,
            };
            tab.notice.run(ctx, cmd)
        }
        _ => Effect::None,
    }
}
