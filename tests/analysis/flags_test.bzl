"""Analysis tests: the transitions and the flags a target gets per mode and profile.

A test configures one fixture target in many configurations at once
(`analysis_test_transition`, one attribute per configuration of CONFIGS) and
checks the actions the rules registered for it, without running any. The
expectations come from platforms/profiles.bzl, the one profile table, so a
profile edit the rules do not follow fails here, at analysis, in a second.
"""

load("//platforms:profiles.bzl", "DEFAULT_PROFILE", "PROFILES")

_MODE = "//command_line_option:compilation_mode"
_PROFILE = "//platforms:profile"
_THREADS = "//platforms:use_threads"
_INCREMENTAL = "//platforms:incremental"
_PANIC = "//platforms:panic_messages"
_LEVERS = "//platforms:levers_off"
_RELEASE_ITERATION = "//platforms:release_iteration"

# What `--//platforms:use_threads` adds (toolchain.bzl THREAD_FEATURES).
_THREAD_FEATURES = ["atomics", "bulk-memory"]

def _config(mode, profile, threads = False, incremental = False, panic_messages = False, levers_off = [], release_iteration = False):
    return struct(
        mode = mode,
        profile = profile,
        threads = threads,
        incremental = incremental,
        panic_messages = panic_messages,
        levers_off = levers_off,
        release_iteration = release_iteration,
        settings = {
            _MODE: "opt" if mode == "release" else "fastbuild",
            _PROFILE: profile,
            _THREADS: threads,
            _INCREMENTAL: incremental,
            _PANIC: panic_messages,
            _LEVERS: levers_off,
            _RELEASE_ITERATION: release_iteration,
        },
    )

# Every profile in both modes, plus each setting that changes flags.
CONFIGS = dict(
    [("{}_{}".format(m, p), _config(m, p)) for p in PROFILES for m in ["dev", "release"]] + [
        ("dev_incremental", _config("dev", DEFAULT_PROFILE, incremental = True)),
        ("dev_threads", _config("dev", "browser", threads = True)),
        ("release_threads", _config("release", "browser", threads = True)),
        ("release_panic_messages", _config("release", "node", panic_messages = True)),
        ("release_levers_off", _config("release", DEFAULT_PROFILE, levers_off = ["lto", "opt_level"])),
        ("release_iteration", _config("release", "browser", incremental = True, release_iteration = True)),
        ("release_iteration_not_incremental", _config("release", "node", release_iteration = True)),
        ("dev_release_iteration", _config("dev", DEFAULT_PROFILE, incremental = True, release_iteration = True)),
    ],
)

def _target(ctx, name):
    t = getattr(ctx.attr, name)
    return t[0] if type(t) == "list" else t

def _actions(target, mnemonic):
    """The target's own actions (not its dependencies') with this mnemonic."""
    return [a for a in target.actions if a.mnemonic == mnemonic]

def _values(argv, flag):
    """Every value that follows `flag` in `argv`."""
    return [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == flag]

def _expect(errors, config_name, got, want, what):
    if got != want:
        errors.append("{}: {}: expected {}, got {}".format(config_name, what, want, got))

def _check_compile(errors, name, config, target, attrs):
    """The fixture's one compile-and-link action in configuration `config`.

    Returns:
      The action's argv (analysis expands a param file), or None when it is missing.
    """
    profile = attrs.profile or config.profile
    p = PROFILES[profile]
    release_iteration = config.release_iteration and config.mode == "release"
    incremental = config.incremental and (config.mode == "dev" or release_iteration)
    compiles = _actions(target, "WasmRustcIncremental" if incremental else "WasmRustc")
    _expect(errors, name, len(compiles), 1, "compile actions ({})".format("WasmRustcIncremental, in the worker" if incremental else "WasmRustc"))
    if len(compiles) != 1:
        return None
    argv = compiles[0].argv
    _expect(errors, name, _values(argv, "--mode"), [config.mode], "--mode")
    _expect(errors, name, _values(argv, "--target"), [p.triple], "--target (profile {})".format(profile))
    _expect(errors, name, _values(argv, "--opt-level"), [p.release_opt], "--opt-level (profile {}'s release_opt)".format(profile))
    threads = config.threads and not attrs.profile
    _expect(errors, name, sorted(_values(argv, "--target-feature")), sorted(p.features + (_THREAD_FEATURES if threads else [])), "--target-feature")
    _expect(errors, name, sorted(_values(argv, "--lever-off")), sorted(config.levers_off), "--lever-off")
    _expect(errors, name, "--incremental" in argv, incremental, "--incremental (only first-party crates in incremental dev and release-iteration builds)")
    _expect(errors, name, "--release-iteration" in argv, release_iteration, "--release-iteration (only in release builds with --//platforms:release_iteration)")
    want_panic = config.panic_messages or (attrs.is_test and config.mode == "release")
    _expect(errors, name, "--panic-messages" in argv, want_panic, "--panic-messages (a wasm_test: {}, mode {})".format(attrs.is_test, config.mode))

    # Memory and allocator: the profile's defaults, threads forcing std's allocator.
    _expect(errors, name, _values(argv, "--stack-size"), [str(p.stack_size)] if p.stack_size else [], "--stack-size (profile {})".format(profile))
    _expect(errors, name, _values(argv, "--max-memory"), [str(p.max_memory)] if p.max_memory else [], "--max-memory (profile {})".format(profile))
    heap = p.allocator == "heap" and not threads
    _expect(errors, name, len(_values(argv, "--force-extern")), 1 if heap else 0, "--force-extern of wasm::alloc::Heap (profile allocator `{}`, threads {})".format(p.allocator, threads))
    return argv

def _flags_test_impl(ctx):
    errors = []
    checked = 0
    drivers = {}
    for name, config in CONFIGS.items():
        if not getattr(ctx.attr, name):
            continue
        checked += 1
        target = _target(ctx, name)
        argv = _check_compile(errors, name, config, target, ctx.attr)
        _expect(errors, name, len(_actions(target, "WasmOpt")), 1 if config.mode == "release" else 0, "wasm-opt actions (WasmOpt)")
        if argv and config.profile != DEFAULT_PROFILE and not config.levers_off:
            drivers.setdefault(config.mode, {}).setdefault(argv[0], []).append(name)

    # `host_tool_transition`: the profile, threads, panic, incremental and
    # release-iteration settings never give the host tool a configuration (an
    # output directory, a copy) of its own.
    # The default profile is left out: Bazel 4 keeps the exec configuration's
    # hash when a transition changes no value, so it has a directory of its own.
    for mode, paths in drivers.items():
        _expect(errors, mode, len(paths), 1, "one `wasmrust` for every profile, threads, panic, incremental and release-iteration setting, by configuration: {}".format(paths))
    _expect(errors, "all", checked > 0, True, "configurations checked")
    message = "{}: {} failed check(s):\n{}".format(ctx.label, len(errors), "\n".join(errors)) if errors else ""
    return [AnalysisTestResultInfo(success = not errors, message = message)]

def _config_attrs():
    return {
        name: attr.label(
            cfg = analysis_test_transition(settings = config.settings),
            doc = "The fixture in configuration `{}`.".format(name),
        )
        for name, config in CONFIGS.items()
    }

_flags_test = rule(
    implementation = _flags_test_impl,
    doc = "Checks a `wasm_rust_binary` or `wasm_test`'s compile and post-link actions in configurations of CONFIGS.",
    attrs = dict(_config_attrs(), **{
        "is_test": attr.bool(doc = "The fixture is a `wasm_test` (release keeps panic messages)."),
        "profile": attr.string(doc = "The fixture's own `profile` attribute, which wins over `--//platforms:profile`."),
    }),
    analysis_test = True,
)

def wasm_flags_test(name, target, skip = [], **kwargs):
    """Checks `target` in every configuration of CONFIGS but those in `skip`.

    Args:
      name: the test's name.
      target: the `wasm_rust_binary` or `wasm_test` under test.
      skip: configurations the target cannot be analysed in (a profile without threads).
      **kwargs: `is_test`, `profile` (the target's own) and the common test attributes.
    """
    configs = {config: target for config in CONFIGS if config not in skip}
    _flags_test(name = name, **dict(configs, **kwargs))
