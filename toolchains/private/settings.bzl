"""Build settings and the profile transition every wasm rule applies."""

load("//platforms:profiles.bzl", "DEFAULT_PROFILE", "PROFILES")

ProfileInfo = provider(doc = "The active host profile.", fields = {"name": "str: a key of PROFILES."})

def _profile_flag_impl(ctx):
    if ctx.build_setting_value not in PROFILES:
        fail("{}: unknown profile `{}`; expected one of: {}".format(
            ctx.label,
            ctx.build_setting_value,
            ", ".join(sorted(PROFILES.keys())),
        ))
    return [ProfileInfo(name = ctx.build_setting_value)]

profile_flag = rule(
    implementation = _profile_flag_impl,
    doc = "The host profile wasm targets build for unless they set `profile` themselves (`--config=<profile>` sets it).",
    build_setting = config.string(flag = True),
)

BoolFlagInfo = provider(doc = "A boolean build setting's value.", fields = {"value": "bool"})

def _bool_flag_impl(ctx):
    return [BoolFlagInfo(value = ctx.build_setting_value)]

bool_flag = rule(
    implementation = _bool_flag_impl,
    doc = "A boolean command-line build setting (`--//pkg:name`, `--no//pkg:name`).",
    build_setting = config.bool(flag = True),
)

# The release levers `--//platforms:levers_off` can turn back to cargo's
# release defaults (flags.rs `Lever` in the driver applies them).
LEVERS = ["opt_level", "lto", "codegen_units", "optimize_for_size"]

LeversInfo = provider(doc = "Release levers turned back to cargo's defaults.", fields = {"off": "list of str: items of LEVERS"})

def _levers_flag_impl(ctx):
    off = [v for v in ctx.build_setting_value if v]
    for v in off:
        if v not in LEVERS:
            fail("{}: unknown lever `{}`; expected a comma-separated list of: {}".format(ctx.label, v, ", ".join(LEVERS)))
    return [LeversInfo(off = sorted({v: None for v in off}.keys()))]

levers_flag = rule(
    implementation = _levers_flag_impl,
    doc = "Release levers to turn back to cargo's release defaults, for measuring what each is worth (`--//platforms:levers_off=lto,codegen_units`).",
    build_setting = config.string_list(flag = True),
)

_PROFILE_FLAG = "//platforms:profile"
_PANIC_MESSAGES = "//platforms:panic_messages"
_USE_THREADS = "//platforms:use_threads"
_RELEASE_ITERATION = "//platforms:release_iteration"
_INCREMENTAL = "//platforms:incremental"
_PLATFORMS = "//command_line_option:platforms"
_COMPILATION_MODE = "//command_line_option:compilation_mode"

def _profile_transition_impl(settings, attr):
    profile = getattr(attr, "profile", "") or settings[_PROFILE_FLAG]
    if profile not in PROFILES:
        fail("unknown profile `{}`; expected one of: {}".format(profile, ", ".join(sorted(PROFILES.keys()))))
    return {
        _PLATFORMS: "//platforms:" + profile,
        _PROFILE_FLAG: profile,
        _USE_THREADS: getattr(attr, "threads", False) or settings[_USE_THREADS],
    }

# Puts a target (and, through the configuration, its whole dependency graph)
# on its profile's platform, so `bazel build //...` works from the host
# platform and toolchain resolution always picks the profile's toolchain.
profile_transition = transition(
    implementation = _profile_transition_impl,
    inputs = [_PROFILE_FLAG, _USE_THREADS],
    outputs = [_PLATFORMS, _PROFILE_FLAG, _USE_THREADS],
)

def _test_transition_impl(settings, attr):
    # Only release differs: dev always keeps messages, and leaving the flag
    # alone there keeps dev tests in the same configuration as the modules.
    release = str(settings[_COMPILATION_MODE]) == "opt"  # an enum, not a string, in Bazel 4
    return dict(_profile_transition_impl(settings, attr), **{_PANIC_MESSAGES: release or settings[_PANIC_MESSAGES]})

# The profile transition for `wasm_test`: tests also keep panic messages in
# release (`-Cpanic=abort` instead of `immediate-abort`), since the harness
# reports a failed assertion and checks `#[should_panic]` from the panic hook,
# which `immediate-abort` never calls. Only the panic path differs from the
# shipped build; the sysroot for tests is built once more per profile.
test_transition = transition(
    implementation = _test_transition_impl,
    inputs = [_PROFILE_FLAG, _PANIC_MESSAGES, _COMPILATION_MODE, _USE_THREADS],
    outputs = [_PLATFORMS, _PROFILE_FLAG, _PANIC_MESSAGES, _USE_THREADS],
)

def _host_tool_transition_impl(_settings, _attr):
    return {
        _PROFILE_FLAG: DEFAULT_PROFILE,
        _PANIC_MESSAGES: False,
        _USE_THREADS: False,
        _RELEASE_ITERATION: False,
        _INCREMENTAL: True,
    }

# For the host tools (`//compiler/bin:driver`, `:runner`): they are the same
# binaries for every profile, but on Bazel 4 an exec configuration keeps the
# profile settings the wasm rules transitioned to, and each set of values is
# an output directory of its own. Setting them back to their defaults makes
# the checked copy one action and one file in one directory, however many
# profiles and modes a build or an output base holds. The compile settings
# `incremental` and `release_iteration` are reset too, so that switching
# between --config=release and --config=release-iter (or turning incremental
# off) keeps the host tools where they are.
host_tool_transition = transition(
    implementation = _host_tool_transition_impl,
    inputs = [],
    outputs = [_PROFILE_FLAG, _PANIC_MESSAGES, _USE_THREADS, _RELEASE_ITERATION, _INCREMENTAL],
)

def build_mode(ctx):
    """`release` under `--compilation_mode=opt` (`--config=release`), else `dev`."""
    return "release" if ctx.var["COMPILATION_MODE"] == "opt" else "dev"
