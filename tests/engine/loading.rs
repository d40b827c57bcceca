//! Charm loading through the library API: charm directories in both layouts, inline
//! sources, picking the charm class, and the errors that say why a charm cannot load.

use std::path::Path;

use ops_scenario::meta::CharmMeta;
use ops_scenario::{Charm, ConfigValue, Context, Error, Event, State, Status};
use serde_json::json;

use crate::common::{charm, charm_dir, charms_dir, ctx_from_source, redact_dir};

/// Run `event` on a default State with a Context built from `charm`.
fn run(charm: Charm, event: Event) -> ops_scenario::Result<ops_scenario::Output> {
    Context::new(charm)?.run(event, &State::default())
}

/// A charm directory in a temporary folder: `src/charm.py` plus the given files.
fn temp_charm_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("creating a temporary directory");
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/charm.py"), NULL_CHARM).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const NULL_CHARM: &str = "\
import ops

class TempCharm(ops.CharmBase):
    pass
";

const GREETER: &str = "\
import ops

class Greeter(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event):
        self.unit.status = ops.ActiveStatus(f'hello {self.config[\"who\"]} from {self.app.name}')
";

const GREETER_YAML: &str = "\
name: greeter
config:
  options:
    who:
      type: string
      default: world
";

// --- charm directories -------------------------------------------------------------------

#[test]
fn legacy_layout_reads_metadata_config_and_actions_yaml() {
    let charm = charm("legacy-layout");
    assert_eq!(charm.meta().name, "legacy-layout");
    assert_eq!(
        charm.meta().config_options["greeting"].default,
        Some(ConfigValue::String("hi".into()))
    );
    assert!(charm.meta().declares_action("refresh"));

    let out = run(charm, Event::start()).unwrap();
    assert_eq!(out.state.unit_status, Status::active("hi"));
}

#[test]
fn legacy_layout_config_set_in_the_state_overrides_the_default() {
    let ctx = Context::new(charm("legacy-layout")).unwrap();
    let state = State::default().config([("greeting", "howdy".into())]);
    let out = ctx.run(Event::start(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("howdy"));
}

#[test]
fn charmcraft_yaml_charm_reads_metadata_and_config_from_one_file() {
    let charm = charm("stored-config");
    assert_eq!(charm.meta().name, "stored-config");
    let options = &charm.meta().config_options; // in the order the metadata declares them
    assert_eq!(
        options.keys().collect::<Vec<_>>(),
        ["log-level", "port", "ratio", "debug", "name"]
    );
    assert_eq!(
        options["port"].option_type,
        Some(ops_scenario::meta::ConfigType::Int)
    );
    assert_eq!(options["port"].default, Some(ConfigValue::Int(8080)));
    assert_eq!(options["name"].default, None);

    let out = run(charm, Event::config_changed()).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("port=8080 ratio=0.5 debug=False name=None")
    );
}

#[test]
fn charmcraft_yaml_charm_metadata_sections_are_known() {
    let charm = charm("hook-tools");
    assert!(charm.meta().declares_endpoint("db"));
    assert!(charm.meta().declares_endpoint("db"));
    assert!(!charm.meta().declares_endpoint("cache"));
}

#[test]
fn charm_dir_charm_renders_a_template_from_its_own_directory() {
    let out = run(charm("charm-dir"), Event::start()).unwrap();
    // templates/motd.txt is "Welcome to {unit}!", filled by src/helpers.py.
    assert_eq!(
        out.state.unit_status,
        Status::active("Welcome to charm-dir/0!")
    );
}

#[test]
fn charm_dir_charm_imports_its_src_module_and_its_lib() {
    let out = run(charm("charm-dir"), Event::start()).unwrap();
    // `import helpers` (src/) worked, or the status would not be rendered; the banner comes
    // from lib/charms/demo/v0/banner.py.
    assert!(
        out.juju_log
            .iter()
            .any(|l| l.level == ops_scenario::LogLevel::Info && l.message == "banner demo-banner"),
        "{:#?}",
        out.juju_log
    );
}

#[test]
fn charm_dir_charm_sees_the_juju_environment_of_its_dispatch() {
    let charm = charm("charm-dir");
    let canonical = charm_dir("charm-dir").canonicalize().unwrap();
    assert_eq!(charm.dir(), canonical);
    let ctx = Context::new(charm)
        .unwrap()
        .app_name("motd")
        .unit_id(2)
        .juju_version("3.5.1");
    let out = ctx.run(Event::start(), &State::default()).unwrap();

    let env: Vec<&str> = out
        .juju_log
        .iter()
        .filter_map(|l| l.message.strip_prefix("env "))
        .collect();
    let charm_dir_line = format!("JUJU_CHARM_DIR={}", canonical.display());
    assert_eq!(
        env,
        [
            "JUJU_UNIT_NAME=motd/2",
            "JUJU_MODEL_NAME=test-model",
            "JUJU_VERSION=3.5.1",
            "JUJU_DISPATCH_PATH=hooks/start",
            charm_dir_line.as_str(),
        ]
    );
    assert_eq!(out.state.unit_status, Status::active("Welcome to motd/2!"));
}

#[test]
fn charm_dir_given_as_a_relative_path_is_made_canonical() {
    let relative = Path::new("tests/charms/charm-dir/../charm-dir");
    // cargo runs integration tests from the package root.
    let charm = Charm::from_dir(relative).unwrap();
    assert_eq!(charm.dir(), charm_dir("charm-dir").canonicalize().unwrap());
    assert!(charm.dir().is_absolute());
}

// --- picking the charm class -------------------------------------------------------------

#[test]
fn multi_class_charm_runs_the_class_passed_to_ops_main() {
    let out = run(charm("multi-class"), Event::start()).unwrap();
    assert_eq!(out.state.unit_status, Status::active("special"));
}

#[test]
fn multi_class_charm_runs_the_class_named_explicitly() {
    let out = run(
        charm("multi-class").class_name("BaseDemoCharm"),
        Event::start(),
    )
    .unwrap();
    assert_eq!(out.state.unit_status, Status::active("base"));
}

#[test]
fn unknown_class_name_is_a_load_error_naming_the_candidates() {
    let err = run(
        charm("multi-class").class_name("NoSuchCharm"),
        Event::start(),
    )
    .unwrap_err();
    let Error::CharmLoad { path, .. } = &err else {
        panic!("expected CharmLoad, got {err}");
    };
    assert_eq!(*path, charm_dir("multi-class").canonicalize().unwrap());
    insta::assert_snapshot!(
        "unknown_class_name",
        redact_dir(&err.to_string(), &charms_dir())
    );
}

// --- inline charms -----------------------------------------------------------------------

#[test]
fn inline_charm_runs_from_source_and_yaml() {
    let charm = Charm::from_source(GREETER, GREETER_YAML).unwrap();
    assert_eq!(charm.meta().name, "greeter");
    assert!(charm.dir().join("src/charm.py").is_file());
    let ctx = Context::new(charm).unwrap();

    let out = ctx.run(Event::start(), &State::default()).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("hello world from greeter")
    );

    let state = State::default().config([("who", "you".into())]);
    let out = ctx.run(Event::start(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("hello you from greeter")
    );
}

#[test]
fn inline_charm_with_metadata_from_values() {
    let meta = CharmMeta::from_values(
        json!({"name": "greeter-values"}),
        Some(json!({"options": {"who": {"type": "string", "default": "values"}}})),
        None,
    )
    .unwrap();
    assert_eq!(
        meta.config_options["who"].default,
        Some(ConfigValue::String("values".into()))
    );
    let charm = Charm::from_source_with_meta(GREETER, meta).unwrap();
    let out = run(charm, Event::start()).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("hello values from greeter-values")
    );
}

#[test]
fn inline_charms_with_the_same_class_name_do_not_clash() {
    let other = GREETER.replace("hello", "goodbye");
    let first = ctx_from_source(GREETER, GREETER_YAML);
    let second = ctx_from_source(&other, GREETER_YAML);
    let state = State::default();
    let a = first.run(Event::start(), &state).unwrap();
    let b = second.run(Event::start(), &state).unwrap();
    let c = first.run(Event::start(), &state).unwrap();
    assert_eq!(
        a.state.unit_status,
        Status::active("hello world from greeter")
    );
    assert_eq!(
        b.state.unit_status,
        Status::active("goodbye world from greeter")
    );
    assert_eq!(c.state.unit_status, a.state.unit_status);
}

#[test]
fn inline_charm_with_two_classes_and_no_ops_main_asks_to_name_one() {
    let source = "\
import ops

class FirstCharm(ops.CharmBase):
    pass

class SecondCharm(ops.CharmBase):
    pass
";
    let charm = Charm::from_source(source, "name: two\n").unwrap();
    let err = run(charm.clone(), Event::start()).unwrap_err();
    let Error::CharmLoad { message, .. } = &err else {
        panic!("expected CharmLoad, got {err}");
    };
    insta::assert_snapshot!("two_charm_classes", redact_dir(message, charm.dir()));

    // Naming one resolves it.
    run(charm.class_name("SecondCharm"), Event::start()).unwrap();
}

#[test]
fn inline_charm_without_a_charm_class_is_a_load_error() {
    let charm = Charm::from_source("import ops\n\nX = 1\n", "name: none\n").unwrap();
    let err = run(charm.clone(), Event::start()).unwrap_err();
    let Error::CharmLoad { message, .. } = &err else {
        panic!("expected CharmLoad, got {err}");
    };
    insta::assert_snapshot!("no_charm_class", redact_dir(message, charm.dir()));
}

#[test]
fn inline_charm_with_a_syntax_error_is_a_load_error_with_the_traceback() {
    let source = "import ops\n\nclass Broken(ops.CharmBase)\n    pass\n";
    let charm = Charm::from_source(source, "name: broken\n").unwrap();
    let err = run(charm, Event::start()).unwrap_err();
    let Error::CharmLoad { message, .. } = &err else {
        panic!("expected CharmLoad, got {err}");
    };
    // Python's own report, whose layout changes between Python releases.
    assert!(message.contains("SyntaxError"), "{message}");
    assert!(message.contains("charm.py"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("class Broken(ops.CharmBase)"), "{message}");
}

#[test]
fn inline_charm_failing_import_is_a_load_error_with_the_traceback() {
    let source =
        "import ops\nimport no_such_module_for_scenario\n\nclass C(ops.CharmBase):\n    pass\n";
    let charm = Charm::from_source(source, "name: imports\n").unwrap();
    let err = run(charm, Event::start()).unwrap_err();
    let Error::CharmLoad { message, .. } = &err else {
        panic!("expected CharmLoad, got {err}");
    };
    // Python's own traceback, whose frames change between Python releases.
    assert!(message.contains("ModuleNotFoundError"), "{message}");
    assert!(message.contains("no_such_module_for_scenario"), "{message}");
    assert!(message.contains("Traceback"), "{message}");
}

const FRAGILE: &str = "\
import ops

class Fragile(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        if self.config['explode']:
            raise ValueError('exploding in __init__ as configured')
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event):
        self.unit.status = ops.ActiveStatus('survived')
";

const FRAGILE_YAML: &str = "\
name: fragile
config:
  options:
    explode:
      type: boolean
      default: false
";

#[test]
fn charm_raising_in_init_is_charm_raised_and_the_context_stays_usable() {
    let ctx = ctx_from_source(FRAGILE, FRAGILE_YAML);

    let exploding = State::default().config([("explode", true.into())]);
    let err = ctx.run(Event::start(), &exploding).unwrap_err();
    let Error::CharmRaised {
        exc_type,
        message,
        traceback,
    } = &err
    else {
        panic!("expected CharmRaised, got {err}");
    };
    assert_eq!(exc_type, "ValueError");
    assert_eq!(message, "exploding in __init__ as configured");
    // Python's own traceback, whose frames in ops change between ops releases.
    assert!(traceback.contains("in __init__"), "{traceback}");
    assert!(traceback.contains("charm.py"), "{traceback}");

    let out = ctx.run(Event::start(), &State::default()).unwrap();
    assert_eq!(out.state.unit_status, Status::active("survived"));

    // And it can fail again, then recover again.
    assert!(matches!(
        ctx.run(Event::start(), &exploding),
        Err(Error::CharmRaised { .. })
    ));
    let out = ctx.run(Event::start(), &State::default()).unwrap();
    assert_eq!(out.state.unit_status, Status::active("survived"));
}

// --- metadata and directory errors -------------------------------------------------------

#[test]
fn malformed_charmcraft_yaml_is_a_metadata_error_with_line_and_column() {
    let dir = temp_charm_dir(&[("charmcraft.yaml", "name: broken\nconfig:\n  options: [\n")]);
    let err = Charm::from_dir(dir.path()).unwrap_err();
    let Error::Metadata {
        file,
        line,
        column,
        message,
    } = &err
    else {
        panic!("expected Metadata, got {err}");
    };
    assert_eq!(file.file_name().unwrap(), "charmcraft.yaml");
    assert!(line.is_some(), "{err}");
    assert!(column.is_some(), "{err}");
    assert!(!message.is_empty());
    insta::assert_snapshot!(
        "unterminated_options_list",
        redact_dir(&err.to_string(), dir.path())
    );
}

#[test]
fn malformed_charmcraft_yaml_error_names_where_the_yaml_parser_stopped() {
    let dir = temp_charm_dir(&[(
        "charmcraft.yaml",
        "name: broken\nsummary: x\nconfig:\n  options:\n    port: {type: int, default: 80\n",
    )]);
    let err = Charm::from_dir(dir.path()).unwrap_err();
    insta::assert_snapshot!(
        "unterminated_flow_mapping",
        redact_dir(&err.to_string(), dir.path())
    );
}

#[test]
fn malformed_legacy_config_yaml_names_that_file() {
    let dir = temp_charm_dir(&[
        ("metadata.yaml", "name: legacy\n"),
        ("config.yaml", "options:\n  a: {type: string\n"),
    ]);
    let err = Charm::from_dir(dir.path()).unwrap_err();
    let Error::Metadata { file, line, .. } = &err else {
        panic!("expected Metadata, got {err}");
    };
    assert_eq!(file.file_name().unwrap(), "config.yaml");
    assert!(line.is_some(), "{err}");
    insta::assert_snapshot!(
        "malformed_legacy_config_yaml",
        redact_dir(&err.to_string(), dir.path())
    );
}

#[test]
fn malformed_inline_yaml_is_a_metadata_error() {
    let err = Charm::from_source(NULL_CHARM, "name: x\nconfig: [\n").unwrap_err();
    let Error::Metadata { line, column, .. } = &err else {
        panic!("expected Metadata, got {err}");
    };
    assert!(line.is_some() && column.is_some(), "{err}");
}

#[test]
fn metadata_yaml_without_a_name_is_a_metadata_error() {
    let dir = temp_charm_dir(&[("metadata.yaml", "summary: nameless\n")]);
    let err = Charm::from_dir(dir.path()).unwrap_err();
    let Error::Metadata { file, .. } = &err else {
        panic!("expected Metadata, got {err}");
    };
    assert_eq!(file.file_name().unwrap(), "metadata.yaml");
    insta::assert_snapshot!(
        "metadata_yaml_without_a_name",
        redact_dir(&err.to_string(), dir.path())
    );
}

#[test]
fn metadata_values_without_a_name_are_a_metadata_error() {
    let err = CharmMeta::from_values(json!({"summary": "nameless"}), None, None).unwrap_err();
    assert!(matches!(err, Error::Metadata { .. }), "{err}");
    insta::assert_snapshot!("metadata_values_without_a_name", err);
}

#[test]
fn inline_yaml_without_a_name_is_a_metadata_error() {
    let err = Charm::from_source(NULL_CHARM, "summary: nameless\n").unwrap_err();
    assert!(matches!(err, Error::Metadata { .. }), "{err}");
}

#[test]
fn config_options_of_the_wrong_shape_are_a_metadata_error() {
    let err = CharmMeta::from_values(
        json!({"name": "x"}),
        Some(json!({"options": ["port"]})),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Metadata { .. }), "{err}");
    insta::assert_snapshot!("config_options_not_a_mapping", err);
}

#[test]
fn charm_dir_without_src_charm_py_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("charmcraft.yaml"), "name: empty\n").unwrap();
    let err = Charm::from_dir(dir.path()).unwrap_err();
    assert!(matches!(err, Error::CharmLoad { .. }), "{err}");
    insta::assert_snapshot!(
        "charm_dir_without_src_charm_py",
        redact_dir(&err.to_string(), dir.path())
    );
}

#[test]
fn charm_dir_without_any_metadata_is_a_load_error() {
    let dir = temp_charm_dir(&[]);
    let err = Charm::from_dir(dir.path()).unwrap_err();
    assert!(matches!(err, Error::CharmLoad { .. }), "{err}");
    insta::assert_snapshot!(
        "charm_dir_without_metadata",
        redact_dir(&err.to_string(), dir.path())
    );
}

#[test]
fn charm_dir_that_does_not_exist_is_a_load_error_naming_it() {
    let missing = charm_dir("no-such-charm");
    let err = Charm::from_dir(&missing).unwrap_err();
    let Error::CharmLoad { path, .. } = &err else {
        panic!("expected CharmLoad, got {err}");
    };
    assert_eq!(*path, missing);
    insta::assert_snapshot!(
        "charm_dir_that_does_not_exist",
        redact_dir(&err.to_string(), &charms_dir())
    );
}
